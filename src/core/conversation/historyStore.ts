/**
 * Saves conversations as one JSON file each (`<id>.json`) in a per-workspace directory.
 *
 * - Writes are atomic: a temp file in the same directory, fsync, rename. A crash mid-write leaves
 *   the previous version whole (and a stray temp file, which list() clears once it is stale).
 * - Saves of one conversation run in call order, never interleaved.
 * - A file that is not valid JSON, or from another format version, is renamed aside to
 *   `<id>.corrupt-<timestamp>.json` with a warning for the caller; history is never deleted.
 * - No index: list() reads each file's first line, which holds everything but the turns (see
 *   `serialize`). An index would be a second copy that can go stale; the first lines are cheap
 *   even when the turns, with their long reasoning, run to megabytes.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { conversationToMarkdown } from './markdownExport';
import { CONVERSATION_VERSION, type Conversation, type ConversationSummary } from './types';

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

  /** Newest first. Unreadable files are moved aside and named in `warnings`; the rest still list. */
  async list(): Promise<{ conversations: ConversationSummary[]; warnings: string[] }> {
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const warnings: string[] = [];
    const conversations: ConversationSummary[] = [];
    await Promise.all(
      names.map(async (name) => {
        if (TEMP.test(name)) return this.removeIfStale(name);
        const id = FILE.exec(name)?.[1];
        if (!id) return;
        const header = await this.readHeader(id);
        if (header.ok) return void conversations.push(summaryOf(header.value));
        if (header.missing) return;
        const warning = await this.enqueue(id, () => this.moveAsideIfStillBad(id));
        if (warning) warnings.push(warning);
      }),
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

  private async loadNow(id: string): Promise<Loaded> {
    let text: string;
    try {
      text = await readFile(this.path(id), 'utf8');
    } catch (error) {
      ignoreMissing(error);
      return { conversation: undefined, warnings: [] };
    }
    const parsed = parseConversation(text, id, true);
    if (parsed.ok) return { conversation: parsed.value, warnings: [] };
    return { conversation: undefined, warnings: [await this.moveAside(id, parsed.problem)] };
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

  /** Reads the first line (everything but the turns); other layouts, e.g. hand-edited files, are parsed whole. */
  private async readHeader(id: string): Promise<Parsed<Omit<Conversation, 'turns'>> | { ok: false; missing: true }> {
    let head: string;
    try {
      const file = await open(this.path(id), 'r');
      try {
        const buffer = Buffer.alloc(HEADER_READ_BYTES);
        const { bytesRead } = await file.read(buffer, 0, HEADER_READ_BYTES, 0);
        head = buffer.subarray(0, bytesRead).toString('utf8');
      } finally {
        await file.close();
      }
    } catch (error) {
      ignoreMissing(error);
      return { ok: false, missing: true };
    }
    const newline = head.indexOf('\n');
    if (newline > 0 && head[newline - 1] === ',') {
      const header = parseConversation(`${head.slice(0, newline - 1)}}`, id, false);
      if (header.ok || header.problem.startsWith('version')) return header;
    }
    try {
      return parseConversation(await readFile(this.path(id), 'utf8'), id, true);
    } catch (error) {
      ignoreMissing(error);
      return { ok: false, missing: true };
    }
  }

  /** Called in the id's queue, so a save that replaced the bad file meanwhile is not moved aside. */
  private async moveAsideIfStillBad(id: string): Promise<string | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(id), 'utf8');
    } catch (error) {
      ignoreMissing(error);
      return undefined;
    }
    const parsed = parseConversation(text, id, true);
    return parsed.ok ? undefined : this.moveAside(id, parsed.problem);
  }

  private async moveAside(id: string, problem: string): Promise<string> {
    const stamp = new Date(this.now()).toISOString().replace(/[:.]/g, '-');
    const aside = `${id}.corrupt-${stamp}.json`;
    await rename(this.path(id), join(this.dir, aside));
    return `Conversation file ${id}.json ${problem}; it was moved to ${aside} and left out of the history.`;
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

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string; missing?: undefined };

/** Checks the shape the rest of QED relies on; `withTurns` false for a header line. */
function parseConversation(text: string, id: string, withTurns: boolean): Parsed<Conversation> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not valid JSON' };
  }
  if (!isRecord(value)) return { ok: false, problem: 'is not a conversation' };
  if (value.version !== CONVERSATION_VERSION) {
    return { ok: false, problem: `version ${JSON.stringify(value.version)} is not one this QED reads (it reads version ${CONVERSATION_VERSION})` };
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
  return valid ? { ok: true, value: value as unknown as Conversation } : { ok: false, problem: 'does not hold a valid conversation' };
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
