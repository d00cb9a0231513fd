/**
 * Saves conversations as one JSON file each (`<id>.json`) in a per-workspace directory.
 *
 * - Writes are atomic: a temp file in the same directory, fsync, rename. A crash mid-write leaves
 *   the previous version whole (and a stray temp file, which list() clears once it is stale).
 * - Saves of one conversation run in call order, never interleaved.
 * - A file that is not a valid conversation is renamed aside to `<id>.corrupt-<timestamp>-<random>.json`
 *   with a warning for the caller; history is never deleted. Only the bytes judged damaged are
 *   moved, even while another window saves the same conversation (see `setAside`).
 * - What cannot be judged stays where it is, skipped with a warning: a file from a newer format
 *   version, one that cannot be read, one larger than MAX_FILE_BYTES, or anything but a regular
 *   file (a directory or a named pipe would otherwise fail or hang the whole list).
 * - No index: list() reads each file's first line, which holds everything but the turns (see
 *   `serialize`). An index would be a second copy that can go stale; the first lines are cheap
 *   even when the turns, with their long reasoning, run to megabytes.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { conversationToMarkdown } from './markdownExport';
import { readRegularFile, type FileRead } from './regularFile';
import { CONVERSATION_VERSION, type Conversation, type ConversationSummary } from './types';
import { pushAll } from '../arrays';

export interface Loaded {
  /** Undefined when there is no such conversation, or its file was just moved aside. */
  conversation: Conversation | undefined;
  warnings: string[];
}

const ID = /^[A-Za-z0-9_-]{1,100}$/;
const FILE = /^([A-Za-z0-9_-]{1,100})\.json$/;
const TEMP = /\.tmp$/;
/** A temp file older than this belongs to no save in progress. */
const STALE_TEMP_MS = 60 * 60_000;
/** The first line is the header unless it is longer than this (huge KaTeX macro sets); then the whole file is read. */
const HEADER_READ_BYTES = 64 * 1024;
/**
 * The largest conversation file read or written. One answer is bounded by the model's context
 * (QED-Nano's 36,864 tokens: about 150 KB of text, 200 KB as JSON with LaTeX's backslashes
 * escaped), so 64 MB holds some 300 full-length answers, days of generation on a local model,
 * and loading it costs the extension host about a second (1.1 s for 60 MB on 2 shared cores). A
 * larger file is not one QED wrote, and reading it whole could exhaust the host's memory.
 */
const MAX_FILE_BYTES = 64 * 1024 ** 2;
const KEPT = 'it stays where it is, left out of the history';
/**
 * Files list() reads at once. All at once, each would hold a file descriptor while waiting for
 * one of libuv's four threads, and a history of a few thousand conversations would run out of
 * descriptors (EMFILE) where the limit is low.
 */
const LIST_CONCURRENCY = 8;

export function newConversationId(): string {
  return randomUUID();
}

export class HistoryStore {
  /** The tail of each conversation's queue of file operations. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where the conversation files are. */
  get folder(): string {
    return this.dir;
  }

  /** Newest first. Files that are not conversations are skipped or moved aside, each named in `warnings`; the rest still list. */
  async list(): Promise<{ conversations: ConversationSummary[]; warnings: string[] }> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const warnings: string[] = [];
    const conversations: ConversationSummary[] = [];
    const listOne = async (name: string) => {
      if (TEMP.test(name)) return this.removeIfStale(name);
      const id = FILE.exec(name)?.[1];
      if (!id) return;
      const header = await this.readHeader(id);
      if (header.kind === 'ok') return void conversations.push(summaryOf(header.value));
      if (header.kind === 'kept') return void warnings.push(keptWarning(id, header));
      if (header.kind === 'missing') return;
      // Damaged: judged again after any save of this window in flight, and only then set aside.
      const loaded = await this.enqueue(id, () => this.loadNow(id));
      if (loaded.conversation) conversations.push(summaryOf(loaded.conversation));
      pushAll(warnings, loaded.warnings);
    };
    // Whatever else goes wrong with one file (say, a put-back that fails), the rest still list.
    await forEachAtMost(LIST_CONCURRENCY, names, (name) =>
      listOne(name).catch((error: unknown) => void warnings.push(`Conversation file ${name}: ${errorText(error)}; it was left out of the history.`)),
    );
    conversations.sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
    return { conversations, warnings: warnings.sort() };
  }

  load(id: string): Promise<Loaded> {
    checkId(id);
    return this.enqueue(id, () => this.loadNow(id));
  }

  /** Atomic; resolves once the new version is on disk. */
  save(conversation: Conversation): Promise<void> {
    checkId(conversation.id);
    const text = serialize(conversation);
    // Never write what list() and load() would refuse to read: the previous version stays.
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_FILE_BYTES) {
      throw new Error(`The conversation is ${megabytes(bytes)} as a file, more than the ${megabytes(MAX_FILE_BYTES)} a conversation may take: start a new conversation (or export this one as Markdown).`);
    }
    return this.enqueue(conversation.id, () => this.write(conversation.id, text));
  }

  rename(id: string, title: string): Promise<Loaded> {
    checkId(id);
    return this.enqueue(id, async () => {
      const loaded = await this.loadNow(id);
      if (!loaded.conversation) return loaded;
      const conversation = { ...loaded.conversation, title, updatedAt: this.now() };
      await this.write(id, serialize(conversation));
      return { conversation, warnings: loaded.warnings };
    });
  }

  delete(id: string): Promise<void> {
    checkId(id);
    return this.enqueue(id, () => unlink(this.path(id)).catch(ignoreMissing));
  }

  exportMarkdown(conversation: Conversation): string {
    return conversationToMarkdown(conversation);
  }

  /** Called in the id's queue, so no save of this window lands between judging and setting aside. */
  private async loadNow(id: string, attempts = 2): Promise<Loaded> {
    const judged = await this.readWhole(id);
    if (judged.kind === 'ok') return { conversation: judged.value, warnings: [] };
    if (judged.kind === 'missing') return { conversation: undefined, warnings: [] };
    if (judged.kind === 'kept') return { conversation: undefined, warnings: [keptWarning(id, judged)] };
    const { warning, putBack } = await this.setAside(id, judged.problem);
    // What was taken was another window's fresh save, now back in place: read that one.
    if (putBack && attempts > 1) return this.loadNow(id, attempts - 1);
    return { conversation: undefined, warnings: warning ? [warning] : [] };
  }

  private async write(id: string, text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `${id}.json.${process.pid}-${randomUUID().slice(0, 8)}.tmp`);
    try {
      const file = await open(temp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
      try {
        await file.writeFile(text, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path(id));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.syncDirectory();
  }

  /** Makes the rename itself durable (POSIX); Windows cannot open a directory, and needs not. */
  private async syncDirectory(): Promise<void> {
    try {
      const dir = await open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      // Best effort: the file's own contents were synced before the rename.
    }
  }

  /** Reads the first line (everything but the turns); other layouts, e.g. hand-edited files, are judged whole. */
  private async readHeader(id: string): Promise<Judged<Omit<Conversation, 'turns'>>> {
    const read = await readRegularFile(this.path(id), { maxBytes: MAX_FILE_BYTES, headBytes: HEADER_READ_BYTES });
    if (read.kind !== 'text') return unread(read);
    const head = read.text;
    const newline = head.indexOf('\n');
    if (newline > 0 && head[newline - 1] === ',') {
      const header = judge(`${head.slice(0, newline - 1)}}`, id, false);
      if (header.kind !== 'damaged') return header;
    }
    return this.readWhole(id);
  }

  private async readWhole(id: string, file = this.path(id)): Promise<Judged<Conversation>> {
    const read = await readRegularFile(file, { maxBytes: MAX_FILE_BYTES });
    return read.kind === 'text' ? judge(read.text, id, true) : unread(read);
  }

  /**
   * Moves aside the file judged damaged (`problem`). Another window may save this conversation at
   * any moment, replacing the file whole (its temp file renamed over the name; files are never
   * written in place), so a save can land between the judgement and the rename. Renaming what
   * was judged would then move that valid save. So the bytes are judged again after the move:
   * 1. rename the name to a unique aside name: atomically, whatever is there now is taken, and no
   *    save can reach it under the new name;
   * 2. judge the bytes taken. Damaged (or unreadable): they stay aside, the only way anything
   *    ends up there;
   * 3. a valid conversation (a save that landed after the first judgement) goes back with
   *    link(), which fails rather than replace a save made after step 1. Then the one taken is an
   *    older version, removed as that newer save's rename would have removed it.
   * Between 1 and 3 the name is absent for a moment: a list or load in another window then sees
   * no such conversation, and the next one sees it again.
   */
  private async setAside(id: string, problem: string): Promise<{ warning?: string; putBack?: true }> {
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    // Unique: a rename replaces its target, and two windows may set files aside in one millisecond.
    const aside = `${id}.corrupt-${stamp}-${randomUUID().slice(0, 8)}.json`;
    const asidePath = join(this.dir, aside);
    try {
      await rename(this.path(id), asidePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { warning: `Conversation file ${id}.json ${problem}; it could not be moved aside (${errorText(error)}), so ${KEPT}.` };
    }
    const taken = await this.readWhole(id, asidePath);
    if (taken.kind === 'ok' || (taken.kind === 'kept' && taken.newer)) {
      await this.putBack(id, asidePath);
      return { putBack: true };
    }
    if (taken.kind === 'missing') return {};
    return { warning: `Conversation file ${id}.json ${taken.problem}; it was moved to ${aside} and left out of the history.` };
  }

  /** Puts a valid save taken by setAside back under its name, unless a newer save took the name. */
  private async putBack(id: string, asidePath: string): Promise<void> {
    try {
      await link(asidePath, this.path(id));
    } catch (error) {
      const nameTaken = (error as NodeJS.ErrnoException).code === 'EEXIST' || (await exists(this.path(id)));
      // No hard links on this file system (FAT, some network shares): a rename, which replaces,
      // so only while the name is free. A save landing in that instant is replaced by the
      // version before it, and written again by its window's next save.
      if (!nameTaken) return rename(asidePath, this.path(id));
    }
    await unlink(asidePath);
  }

  private async removeIfStale(name: string): Promise<void> {
    const info = await stat(join(this.dir, name)).catch(() => undefined);
    if (info && this.now() - info.mtimeMs > STALE_TEMP_MS) await unlink(join(this.dir, name)).catch(() => undefined);
  }

  private enqueue<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return result;
  }

  private path(id: string): string {
    return join(this.dir, `${id}.json`);
  }
}

/**
 * Valid JSON whose first line is the conversation without its turns, ending in a comma:
 * `{"version":1,"id":…,"settings":{…},` newline `"turns":[…]}`. JSON.stringify escapes every
 * newline inside strings, so the first line break is the one put here.
 */
export function serialize(conversation: Conversation): string {
  const { turns, ...header } = conversation;
  return `${JSON.stringify(header).slice(0, -1)},\n"turns":${JSON.stringify(turns)}}\n`;
}

/**
 * A conversation file as judged: `kept` is left in place with a warning (not judged damaged:
 * unreadable, not a regular file, too large, or from a newer QED); `damaged` is set aside.
 */
type Judged<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'missing' }
  | { kind: 'kept'; problem: string; newer?: true }
  | { kind: 'damaged'; problem: string };

/** Checks the shape the rest of QED relies on; `withTurns` false for a header line. */
function judge(text: string, id: string, withTurns: boolean): Judged<Conversation> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'damaged', problem: 'is not valid JSON' };
  }
  if (!isRecord(value)) return { kind: 'damaged', problem: 'is not a conversation' };
  const version = value.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > CONVERSATION_VERSION) {
    return { kind: 'kept', newer: true, problem: `is from a newer QED (format version ${version}; this one reads version ${CONVERSATION_VERSION})` };
  }
  if (version !== CONVERSATION_VERSION) {
    return { kind: 'damaged', problem: `version ${JSON.stringify(version)} is not one this QED reads (it reads version ${CONVERSATION_VERSION})` };
  }
  const settings = value.settings;
  const valid =
    value.id === id &&
    typeof value.title === 'string' &&
    typeof value.createdAt === 'number' &&
    typeof value.updatedAt === 'number' &&
    isRecord(settings) &&
    (settings.thinkingBudget === null || typeof settings.thinkingBudget === 'number') &&
    (!withTurns || (Array.isArray(value.turns) && value.turns.every(isTurn)));
  return valid ? { kind: 'ok', value: value as unknown as Conversation } : { kind: 'damaged', problem: 'does not hold a valid conversation' };
}

/** A file that could not be read is not judged: it is kept. */
function unread(read: Exclude<FileRead, { kind: 'text' }>): Judged<never> {
  switch (read.kind) {
    case 'missing':
      return { kind: 'missing' };
    case 'not-regular':
      return { kind: 'kept', problem: `is not a regular file (${read.what})` };
    case 'too-large':
      return { kind: 'kept', problem: `is ${megabytes(read.bytes)}, more than the ${megabytes(MAX_FILE_BYTES)} a conversation may take` };
    case 'error':
      return { kind: 'kept', problem: `could not be read (${errorText(read.error)})` };
  }
}

function keptWarning(id: string, judged: { problem: string }): string {
  return `Conversation file ${id}.json ${judged.problem}; ${KEPT}.`;
}

function isTurn(value: unknown): boolean {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.user !== 'string') return false;
  if (value.typed !== undefined && typeof value.typed !== 'string') return false;
  const answer = value.assistant;
  return isRecord(answer) && typeof answer.reasoning === 'string' && typeof answer.content === 'string' && typeof answer.status === 'string';
}

function summaryOf(header: Omit<Conversation, 'turns'>): ConversationSummary {
  const { id, title, createdAt, updatedAt, origin } = header;
  return origin ? { id, title, createdAt, updatedAt, origin } : { id, title, createdAt, updatedAt };
}

function checkId(id: string): void {
  // Ids become file names: nothing that could leave the directory or hide among other files.
  if (!ID.test(id)) throw new Error(`Invalid conversation id ${JSON.stringify(id)}.`);
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

/** Runs `task` on each item, at most `limit` at a time. */
async function forEachAtMost<T>(limit: number, items: readonly T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function megabytes(bytes: number): string {
  return `${Math.ceil(bytes / 1024 ** 2)} MB`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
