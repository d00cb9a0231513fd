/**
 * An eval's output file: its records, one JSON line each, appended as each (problem, sample) is
 * graded. A run killed mid-write leaves at most a torn last line, which reopening removes; the
 * rest is kept and skipped by the rerun.
 */
import { readFile } from 'node:fs/promises';
import { parseJsonLines, type LineKind } from '../jsonLines';
import { LineAppender, openJsonLines } from '../jsonLinesFile';
import { evalRecord, recordKey, type EvalRecord } from './evalRecord';
import { latestRecords } from './evalSummary';

const EVAL_LINE: LineKind<EvalRecord> = { schema: evalRecord, what: 'a qed eval record' };

export class EvalFile {
  private readonly latest = new Map<string, EvalRecord>();
  private readonly appender: LineAppender;

  private constructor(readonly file: string, records: EvalRecord[]) {
    this.appender = new LineAppender(file);
    for (const record of latestRecords(records)) this.latest.set(recordKey(record), record);
  }

  /** The file's records (none if it does not exist yet: the first append creates it), ready to append to. */
  static async open(file: string): Promise<EvalFile> {
    return new EvalFile(file, await openJsonLines(file, EVAL_LINE));
  }

  /** The last record of each (problem, sample), in the order first written. */
  get records(): EvalRecord[] {
    return [...this.latest.values()];
  }

  recordOf(problemId: string, sample: number): EvalRecord | undefined {
    return this.latest.get(recordKey({ problemId, sample }));
  }

  append(record: EvalRecord): Promise<void> {
    this.latest.set(recordKey(record), record);
    return this.appender.append(record);
  }
}

/** The records of a finished or running eval, read without touching the file (--compare, --report). */
export async function readEvalRecords(file: string): Promise<EvalRecord[]> {
  return latestRecords(parseJsonLines(await readFile(file, 'utf8'), EVAL_LINE, file));
}
