import assert from 'node:assert/strict';
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HistoryStore, newConversationId, serialize } from '../../src/core/conversation/historyStore';
import type { Conversation, ConversationSummary } from '../../src/core/conversation/types';
import { HISTORY_WINDOW } from '../helpers/historyWindow';

const REPO = path.resolve(__dirname, '../..');

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
const STAMP = '2026-01-02T03-04-05-006Z';

function conversation(id: string, overrides: Partial<Conversation> = {}): Conversation {
  return {
    version: 1,
    id,
    title: `Conversation ${id}`,
    createdAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 0, 1, 12),
    settings: { thinkingBudget: 8192 },
    turns: [
      {
        id: 'turn-1',
        user: 'Generate a rigorous proof to the following question:\n\nProve that $\\sqrt 2$ is irrational.',
        typed: '/prove Prove that $\\sqrt 2$ is irrational.',
        assistant: {
          reasoning: 'Suppose $\\sqrt 2 = p/q$ in lowest terms.\nThen...',
          content: 'Assume $\\sqrt 2 = p/q$. Then $p^2 = 2q^2$, so $p$ is even…',
          status: 'done',
          finishReason: 'stop',
          startedAt: 1,
          firstTokenAt: 2,
          answerStartedAt: 3,
          endedAt: 4,
          reasoningTokens: 1234,
          contentTokens: 56,
        },
      },
    ],
    ...overrides,
  };
}

function summary({ id, title, createdAt, updatedAt }: Conversation): ConversationSummary {
  return { id, title, createdAt, updatedAt };
}

/** Rejects when `promise` takes longer than `seconds` (it would otherwise hang the suite). */
function withinSeconds<T>(seconds: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${seconds} s`)), seconds * 1000)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs test/helpers/historyWindow.ts as another process (`fileLimit`: its open files, through the shell's ulimit); resolves with its output. */
function runWindow(args: string[], options: SpawnOptions & { fileLimit?: number } = {}): Promise<string> {
  const command = [process.execPath, '--import', 'tsx', HISTORY_WINDOW, ...args];
  const [file, ...rest] = options.fileLimit ? ['sh', '-c', `ulimit -n ${options.fileLimit} && exec "$@"`, 'sh', ...command] : command;
  const child = spawn(file!, rest, { ...options, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`historyWindow ${args[0]} exited with ${code}: ${stderr}`))));
  });
}

describe('HistoryStore', () => {
  let dir: string;
  let store: HistoryStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qed-history-'));
    store = new HistoryStore(dir, () => NOW);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const files = () => readdirSync(dir).sort();
  /** The one name `id`'s file was moved aside to (unique: a random part follows the time). */
  const aside = (id: string) => {
    const names = files().filter((name) => name.startsWith(`${id}.corrupt-`));
    assert.equal(names.length, 1, names.join(', '));
    assert.match(names[0]!, new RegExp(`^${id}\\.corrupt-${STAMP}-[0-9a-f]{8}\\.json$`));
    return names[0]!;
  };

  it('saves one JSON file per conversation, whose first line is everything but the turns', async () => {
    const saved = conversation('a', { origin: { file: 'notes/sqrt2.tex', startLine: 3, endLine: 9 }, katexMacros: { '\\R': '\\mathbb{R}' } });
    await store.save(saved);
    assert.deepEqual(files(), ['a.json']);
    const text = readFileSync(path.join(dir, 'a.json'), 'utf8');
    assert.deepEqual(JSON.parse(text), saved);
    const firstLine = text.slice(0, text.indexOf('\n'));
    const { turns: _turns, ...header } = saved;
    assert.deepEqual(JSON.parse(`${firstLine.slice(0, -1)}}`), header);
    assert.deepEqual(await store.load('a'), { conversation: saved, warnings: [] });
    assert.deepEqual(await store.list(), {
      conversations: [{ id: 'a', title: 'Conversation a', createdAt: saved.createdAt, updatedAt: saved.updatedAt, origin: saved.origin }],
      warnings: [],
    });
  });

  it('lists newest first, and an empty or missing directory as empty', async () => {
    assert.deepEqual(await new HistoryStore(path.join(dir, 'missing')).list(), { conversations: [], warnings: [] });
    await store.save(conversation('old', { updatedAt: 10 }));
    await store.save(conversation('new', { updatedAt: 30 }));
    await store.save(conversation('mid', { updatedAt: 20 }));
    assert.deepEqual((await store.list()).conversations.map((c) => c.id), ['new', 'mid', 'old']);
  });

  it('keeps the previous version when a write crashed, and clears stale temp files', async () => {
    const first = conversation('a');
    await store.save(first);
    // What a crash between writing and renaming leaves behind: a half-written temp file.
    const crashed = 'a.json.4242-deadbeef.tmp';
    writeFileSync(path.join(dir, crashed), serialize(conversation('a', { title: 'new' })).slice(0, 40));
    assert.deepEqual(await store.load('a'), { conversation: first, warnings: [] });
    assert.deepEqual(await store.list(), { conversations: [{ id: 'a', title: first.title, createdAt: first.createdAt, updatedAt: first.updatedAt }], warnings: [] });
    assert.ok(existsSync(path.join(dir, crashed)), 'a recent temp file may belong to a save in progress');

    const hourAndMinuteAgo = (NOW - 61 * 60_000) / 1000;
    utimesSync(path.join(dir, crashed), hourAndMinuteAgo, hourAndMinuteAgo);
    await store.list();
    assert.deepEqual(files(), ['a.json']);
  });

  it('moves a corrupt file and one of a version that never existed aside with warnings, and lists the rest', async () => {
    await store.save(conversation('good'));
    const corrupt = '{"version":1,"id":"broken","title":"x",';
    const unknown = JSON.stringify({ ...conversation('unknown'), version: '1' });
    writeFileSync(path.join(dir, 'broken.json'), corrupt);
    writeFileSync(path.join(dir, 'unknown.json'), unknown);
    const listed = await store.list();
    assert.deepEqual(listed.conversations.map((c) => c.id), ['good']);
    assert.deepEqual(listed.warnings, [
      `Conversation file broken.json is not valid JSON; it was moved to ${aside('broken')} and left out of the history.`,
      `Conversation file unknown.json version "1" is not one this QED reads (it reads version 1); it was moved to ${aside('unknown')} and left out of the history.`,
    ]);
    assert.deepEqual(files(), [aside('broken'), 'good.json', aside('unknown')]);
    assert.equal(readFileSync(path.join(dir, aside('broken')), 'utf8'), corrupt, 'moved, never rewritten');
    assert.equal(readFileSync(path.join(dir, aside('unknown')), 'utf8'), unknown);
    assert.deepEqual(await store.list(), { conversations: listed.conversations, warnings: [] }, 'moved-aside files are not listed again');
  });

  it('moves aside on load a file whose header is fine but whose turns are cut off', async () => {
    writeFileSync(path.join(dir, 'cut.json'), serialize(conversation('cut')).slice(0, -30));
    assert.deepEqual((await store.list()).conversations.map((c) => c.id), ['cut'], 'the header alone looks fine');
    const loaded = await store.load('cut');
    assert.equal(loaded.conversation, undefined);
    assert.deepEqual(loaded.warnings, [`Conversation file cut.json is not valid JSON; it was moved to ${aside('cut')} and left out of the history.`]);
    assert.deepEqual(files(), [aside('cut')]);
  });

  it('reads a hand-edited (pretty-printed) file, and treats a file with another id as invalid', async () => {
    const pretty = conversation('pretty');
    writeFileSync(path.join(dir, 'pretty.json'), JSON.stringify(pretty, null, 2));
    writeFileSync(path.join(dir, 'copy.json'), serialize(conversation('original')));
    const listed = await store.list();
    assert.deepEqual(listed.conversations.map((c) => c.id), ['pretty']);
    assert.deepEqual(listed.warnings, [`Conversation file copy.json does not hold a valid conversation; it was moved to ${aside('copy')} and left out of the history.`]);
    assert.deepEqual((await store.load('pretty')).conversation, pretty);
  });

  it('returns nothing, without warnings, for a conversation that does not exist', async () => {
    assert.deepEqual(await store.load('nope'), { conversation: undefined, warnings: [] });
    assert.deepEqual(await store.rename('nope', 'x'), { conversation: undefined, warnings: [] });
  });

  it('runs concurrent saves of one conversation in call order, never interleaved', async () => {
    const finished: number[] = [];
    const saves = Array.from({ length: 30 }, (_, i) =>
      store.save(conversation('busy', { title: `v${i}`, turns: Array.from({ length: i % 5 }, () => conversation('busy').turns[0]!) })).then(() => finished.push(i)),
    );
    await Promise.all(saves);
    assert.deepEqual(finished, Array.from({ length: 30 }, (_, i) => i));
    const text = readFileSync(path.join(dir, 'busy.json'), 'utf8');
    assert.equal(text, serialize(conversation('busy', { title: 'v29', turns: Array.from({ length: 4 }, () => conversation('busy').turns[0]!) })));
    assert.deepEqual(files(), ['busy.json'], 'no temp file left behind');
  });

  it('orders rename between saves, and a load after a save that was not awaited sees it', async () => {
    const first = store.save(conversation('r', { title: 'one' }));
    const renamed = store.rename('r', 'Renamed');
    const loaded = store.load('r');
    await first;
    assert.equal((await renamed).conversation?.title, 'Renamed');
    assert.equal((await renamed).conversation?.updatedAt, NOW);
    assert.equal((await loaded).conversation?.title, 'Renamed');
    await store.save(conversation('r', { title: 'two' }));
    assert.equal((await store.load('r')).conversation?.title, 'two');
  });

  it('deletes a conversation, and deleting a missing one is not an error', async () => {
    await store.save(conversation('gone'));
    await store.delete('gone');
    await store.delete('gone');
    assert.deepEqual(files(), []);
  });

  it('never overwrites a file set aside earlier, even within the same millisecond', async () => {
    writeFileSync(path.join(dir, 'twice.json'), 'first damage');
    await store.list();
    writeFileSync(path.join(dir, 'twice.json'), 'second damage');
    await store.list();
    const aside = files().filter((name) => name.startsWith('twice.corrupt-'));
    assert.deepEqual(aside.map((name) => readFileSync(path.join(dir, name), 'utf8')).sort(), ['first damage', 'second damage']);
  });

  it('keeps a file from a newer format version in place, and says which version it is', async () => {
    await store.save(conversation('good'));
    const future = JSON.stringify({ ...conversation('future'), version: 2, somethingNew: true });
    writeFileSync(path.join(dir, 'future.json'), future);
    const warning = 'Conversation file future.json is from a newer QED (format version 2; this one reads version 1); it stays where it is, left out of the history.';
    assert.deepEqual(await store.list(), { conversations: [summary(conversation('good'))], warnings: [warning] });
    assert.deepEqual(await store.load('future'), { conversation: undefined, warnings: [warning] });
    assert.deepEqual(files(), ['future.json', 'good.json']);
    assert.equal(readFileSync(path.join(dir, 'future.json'), 'utf8'), future);
  });

  it('skips a directory named like a conversation, and lists the rest', async () => {
    await store.save(conversation('good'));
    mkdirSync(path.join(dir, 'folder.json'));
    const warning = 'Conversation file folder.json is not a regular file (a directory); it stays where it is, left out of the history.';
    assert.deepEqual(await store.list(), { conversations: [summary(conversation('good'))], warnings: [warning] });
    assert.deepEqual(await store.load('folder'), { conversation: undefined, warnings: [warning] });
  });

  it('skips a named pipe without waiting for a writer, and lists the rest', async function () {
    if (process.platform === 'win32') this.skip();
    await store.save(conversation('good'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.json')]);
    const warning = 'Conversation file pipe.json is not a regular file (a named pipe); it stays where it is, left out of the history.';
    // A read that opened the pipe would wait for a writer for ever: the bound only has to be
    // finite, and far above what listing takes on a busy machine.
    const started = performance.now();
    assert.deepEqual(await withinSeconds(10, store.list()), { conversations: [summary(conversation('good'))], warnings: [warning] });
    assert.deepEqual(await withinSeconds(10, store.load('pipe')), { conversation: undefined, warnings: [warning] });
    assert.ok(performance.now() - started < 10_000);
  });

  it('skips a device behind a symbolic link (endless zeros) without reading it', async function () {
    if (process.platform === 'win32') this.skip();
    await store.save(conversation('good'));
    symlinkSync('/dev/zero', path.join(dir, 'zero.json'));
    const warning = 'Conversation file zero.json is not a regular file (a device); it stays where it is, left out of the history.';
    assert.deepEqual(await withinSeconds(2, store.list()), { conversations: [summary(conversation('good'))], warnings: [warning] });
    assert.deepEqual(await withinSeconds(2, store.load('zero')), { conversation: undefined, warnings: [warning] });
  });

  it('does not read a file larger than a conversation can be; it stays in place', async () => {
    await store.save(conversation('good'));
    // Sparse: 1 GB on paper, nothing on disk. Read whole, it would be 1 GB in memory (more than a string can hold).
    const huge = path.join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 1024 ** 3);
    const warning = 'Conversation file huge.json is 1024 MB, more than the 64 MB a conversation may take; it stays where it is, left out of the history.';
    const before = process.memoryUsage().rss;
    assert.deepEqual(await store.list(), { conversations: [summary(conversation('good'))], warnings: [warning] });
    assert.deepEqual(await store.load('huge'), { conversation: undefined, warnings: [warning] });
    assert.ok(process.memoryUsage().rss - before < 100 * 1024 ** 2, 'the file was not read');
    assert.deepEqual(files(), ['good.json', 'huge.json']);
  });

  it('does not save a conversation larger than it would read back', async () => {
    const answer = conversation('big').turns[0]!;
    const turns = Array.from({ length: 32 }, () => ({ ...answer, assistant: { ...answer.assistant, reasoning: 'x'.repeat(2 * 1024 ** 2) } }));
    await store.save(conversation('big', { title: 'small' }));
    await assert.rejects(async () => store.save(conversation('big', { turns })), /^Error: The conversation is 65 MB as a file, more than the 64 MB a conversation may take: start a new conversation \(or export this one as Markdown\)\.$/);
    assert.equal((await store.load('big')).conversation?.title, 'small', 'the previous version is kept');
  });

  it('in a folder it may not write to, skips what it cannot read or move aside, and lists the rest', async function () {
    if (process.platform === 'win32') this.skip();
    this.timeout(30_000);
    await store.save(conversation('good'));
    writeFileSync(path.join(dir, 'broken.json'), 'not json');
    writeFileSync(path.join(dir, 'locked.json'), serialize(conversation('locked')), { mode: 0o000 });
    // Root may read and write anything: the other window runs as an ordinary user (nobody) then,
    // owning the folder and its files as the user of a window would.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (asUser.uid !== undefined) for (const name of ['', ...files()]) chownSync(path.join(dir, name), asUser.uid, asUser.gid);
    chmodSync(dir, 0o555);
    try {
      const listed = JSON.parse(await runWindow(['list', dir], asUser)) as Awaited<ReturnType<HistoryStore['list']>>;
      assert.deepEqual(listed.conversations, [summary(conversation('good'))]);
      assert.equal(listed.warnings.length, 2, listed.warnings.join('\n'));
      assert.match(listed.warnings[0]!, /^Conversation file broken\.json is not valid JSON; it could not be moved aside \(EACCES: permission denied, rename .*\), so it stays where it is, left out of the history\.$/);
      assert.match(listed.warnings[1]!, /^Conversation file locked\.json could not be read \(EACCES: permission denied, open .*\); it stays where it is, left out of the history\.$/);
    } finally {
      chmodSync(dir, 0o700);
    }
    assert.deepEqual(files(), ['broken.json', 'good.json', 'locked.json']);
  });

  it('lists a history of many conversations where a process may open few files', async function () {
    if (process.platform === 'win32') this.skip();
    this.timeout(30_000);
    for (let i = 0; i < 500; i++) writeFileSync(path.join(dir, `c${i}.json`), serialize(conversation(`c${i}`)));
    const listed = JSON.parse(await runWindow(['list', dir], { fileLimit: 100 })) as Awaited<ReturnType<HistoryStore['list']>>;
    assert.deepEqual(listed.warnings, []);
    assert.equal(listed.conversations.length, 500);
  });

  it('accepts only ids that are plain file names', async () => {
    assert.match(newConversationId(), /^[0-9a-f-]{36}$/);
    await assert.rejects(async () => store.save(conversation('../escape')), /Invalid conversation id "..\/escape"\./);
    assert.throws(() => store.load('a.corrupt-x'), /Invalid conversation id/);
  });

  it('exports Markdown with the thinking in a collapsed block and the status of unfinished answers', () => {
    const c = conversation('md', { origin: { file: 'sqrt2.tex', startLine: 3, endLine: 9 } });
    c.turns.push({
      id: 'turn-2',
      user: 'And $\\sqrt 3$?',
      assistant: { reasoning: 'Same idea. </details> is safe.', content: 'Likewise', status: 'stopped', forcedAnswer: 'budget', startedAt: 5, reasoningTokens: 8192, contentTokens: 2 },
    });
    c.turns.push({ id: 'turn-3', user: 'Why?', assistant: { reasoning: '', content: '', status: 'error', error: 'Nothing is listening at http://127.0.0.1:1/v1.', startedAt: 6, reasoningTokens: 0, contentTokens: 0 } });
    assert.equal(
      store.exportMarkdown(c),
      [
        '# Conversation md',
        '',
        '*QED conversation, 2026-01-01 · from `sqrt2.tex`, lines 3–9*',
        '',
        '---',
        '',
        '**You**',
        '',
        // What the user typed, not the prompt the command expanded to.
        '/prove Prove that $\\sqrt 2$ is irrational.',
        '',
        '**QED-Nano**',
        '',
        '<details>',
        '<summary>Thinking (1,234 tokens)</summary>',
        '',
        'Suppose $\\sqrt 2 = p/q$ in lowest terms.\nThen...',
        '',
        '</details>',
        '',
        'Assume $\\sqrt 2 = p/q$. Then $p^2 = 2q^2$, so $p$ is even…',
        '',
        '---',
        '',
        '**You**',
        '',
        'And $\\sqrt 3$?',
        '',
        '**QED-Nano**',
        '',
        '<details>',
        '<summary>Thinking (8,192 tokens)</summary>',
        '',
        'Same idea. &lt;/details> is safe.',
        '',
        '</details>',
        '',
        'Likewise',
        '',
        '*Thinking budget reached; answer requested. Stopped.*',
        '',
        '---',
        '',
        '**You**',
        '',
        'Why?',
        '',
        '**QED-Nano**',
        '',
        '*Failed: Nothing is listening at http://127.0.0.1:1/v1.*',
        '',
      ].join('\n'),
    );
  });
});

describe('HistoryStore, with another window on the same folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qed-history-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves aside only the bytes it judged damaged while the other window saves the same conversation', async function () {
    this.timeout(60_000);
    let running = true;
    const saver = runWindow(['save', dir, 'busy', '3000']).finally(() => (running = false));

    // This window: damage appears in the file (written whole, as a sync tool or a hand edit
    // would), and listing the history moves it aside.
    const store = new HistoryStore(dir);
    let damage = 0;
    while (!existsSync(path.join(dir, 'busy.json')) && running) await new Promise((resolve) => setTimeout(resolve, 5));
    while (running) {
      writeFileSync(path.join(dir, 'damage.partial'), `{"version":1,"id":"busy","title":"damage ${++damage}`);
      renameSync(path.join(dir, 'damage.partial'), path.join(dir, 'busy.json'));
      await store.list();
    }
    const saves = await saver;

    const aside = readdirSync(dir).filter((name) => name.startsWith('busy.corrupt-'));
    const valid = aside.filter((name) => {
      try {
        return JSON.parse(readFileSync(path.join(dir, name), 'utf8')).version === 1;
      } catch {
        return false;
      }
    });
    console.log(`      ${saves} saves, ${damage} damaged files, ${aside.length} set aside, of which ${valid.length} valid conversations`);
    assert.ok(aside.length > 0, 'damaged files were moved aside');
    assert.deepEqual(valid, [], 'no valid conversation was set aside');
  });
});
