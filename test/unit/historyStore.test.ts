import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { HistoryStore, newConversationId, serialize } from '../../src/core/conversation/historyStore';
import type { Conversation } from '../../src/core/conversation/types';

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

describe('HistoryStore', () => {
  let dir: string;
  let store: HistoryStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qed-history-'));
    store = new HistoryStore(dir, () => NOW);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const files = () => readdirSync(dir).sort();

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

  it('moves a corrupt file and one of an unknown version aside with warnings, and lists the rest', async () => {
    await store.save(conversation('good'));
    const corrupt = '{"version":1,"id":"broken","title":"x",';
    const future = JSON.stringify({ ...conversation('future'), version: 99 });
    writeFileSync(path.join(dir, 'broken.json'), corrupt);
    writeFileSync(path.join(dir, 'future.json'), future);
    const listed = await store.list();
    assert.deepEqual(listed.conversations.map((c) => c.id), ['good']);
    assert.deepEqual(listed.warnings, [
      `Conversation file broken.json is not valid JSON; it was moved to broken.corrupt-${STAMP}.json and left out of the history.`,
      `Conversation file future.json version 99 is not one this QED reads (it reads version 1); it was moved to future.corrupt-${STAMP}.json and left out of the history.`,
    ]);
    assert.deepEqual(files(), [`broken.corrupt-${STAMP}.json`, `future.corrupt-${STAMP}.json`, 'good.json']);
    assert.equal(readFileSync(path.join(dir, `broken.corrupt-${STAMP}.json`), 'utf8'), corrupt, 'moved, never rewritten');
    assert.equal(readFileSync(path.join(dir, `future.corrupt-${STAMP}.json`), 'utf8'), future);
    assert.deepEqual(await store.list(), { conversations: listed.conversations, warnings: [] }, 'moved-aside files are not listed again');
  });

  it('moves aside on load a file whose header is fine but whose turns are cut off', async () => {
    writeFileSync(path.join(dir, 'cut.json'), serialize(conversation('cut')).slice(0, -30));
    assert.deepEqual((await store.list()).conversations.map((c) => c.id), ['cut'], 'the header alone looks fine');
    const loaded = await store.load('cut');
    assert.equal(loaded.conversation, undefined);
    assert.deepEqual(loaded.warnings, [`Conversation file cut.json is not valid JSON; it was moved to cut.corrupt-${STAMP}.json and left out of the history.`]);
    assert.deepEqual(files(), [`cut.corrupt-${STAMP}.json`]);
  });

  it('reads a hand-edited (pretty-printed) file, and treats a file with another id as invalid', async () => {
    const pretty = conversation('pretty');
    writeFileSync(path.join(dir, 'pretty.json'), JSON.stringify(pretty, null, 2));
    writeFileSync(path.join(dir, 'copy.json'), serialize(conversation('original')));
    const listed = await store.list();
    assert.deepEqual(listed.conversations.map((c) => c.id), ['pretty']);
    assert.deepEqual(listed.warnings, [`Conversation file copy.json does not hold a valid conversation; it was moved to copy.corrupt-${STAMP}.json and left out of the history.`]);
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
