/**
 * Reads a critique written by the model: the final `\boxed{}` score, the issues list and the
 * rest as Markdown. A 4B model drifts from any format, so every step has a fallback and
 * whatever could not be read is said in `notes` rather than thrown.
 */
import type { FinishReason } from '../chat';
import { findIssuesSection, parseIssues } from './parseIssues';

export type Verdict = 'correct' | 'minor-issues' | 'incorrect';
export type Score = 0 | 0.5 | 1;

export interface CritiqueIssue {
  severity: 'critical' | 'gap' | 'minor';
  /** A short excerpt of the proof as the model quoted it, without quotation marks. */
  quote: string | null;
  explanation: string;
}

export interface Critique {
  score: Score | null;
  verdict: Verdict | null;
  /** The answer's Markdown without the issues list. */
  evaluation: string;
  issues: CritiqueIssue[];
  /** What could not be read, e.g. "No \\boxed{} score found". */
  notes: string[];
}

const VERDICTS: Record<Score, Verdict> = { 1: 'correct', 0.5: 'minor-issues', 0: 'incorrect' };

export function verdictOf(score: Score): Verdict {
  return VERDICTS[score];
}

export function parseCritique(answer: string, finishReason?: FinishReason): Critique {
  try {
    return parse(answer, finishReason);
  } catch (error) {
    // A bug here must not lose the model's answer; it is shown as it came.
    return { score: null, verdict: null, evaluation: answer.trim(), issues: [], notes: [`The critique could not be read (${String(error)})`] };
  }
}

function parse(answer: string, finishReason: FinishReason | undefined): Critique {
  // The answer comes split from the thinking where the stream was split (`reasoning.ts`, also for
  // servers that leave the thinking in), so a `</think>` here is part of the critique.
  const text = answer.replace(/\r\n?/g, '\n');
  const notes: string[] = [];
  const score = readScore(text, notes);
  const section = findIssuesSection(text);
  const issues = section ? parseIssues(section.body, notes) : [];
  const evaluation = (section ? text.slice(0, section.start) + text.slice(section.end) : text).replace(/\n{3,}/g, '\n\n').trim();
  if (finishReason === 'length') notes.push('The answer was cut off by the token limit');
  if (finishReason === 'cancelled') notes.push('The critique was stopped before it finished');
  return { score, verdict: score === null ? null : verdictOf(score), evaluation, issues, notes };
}

interface Box {
  /** As written, e.g. `\boxed{\frac12}`. */
  source: string;
  /** A number in [0, 1], or null when the box holds something else (a quoted answer, text). */
  value: number | null;
}

function readScore(text: string, notes: string[]): Score | null {
  const boxes = findBoxes(text);
  const candidates = boxes.filter((box) => box.value !== null);
  if (candidates.length === 0) {
    const fromText = scoreStatedInText(text);
    if (fromText) {
      notes.push(`No \\boxed{} score found; read "${fromText.phrase}" from the text`);
      return fromText.score;
    }
    const others = listed(boxes.map((box) => box.source));
    notes.push(boxes.length === 0 ? 'No \\boxed{} score found' : `No \\boxed{} score found (${others} ${boxes.length === 1 ? 'is not a score' : 'are not scores'})`);
    return null;
  }
  const last = candidates[candidates.length - 1]!;
  if (new Set(candidates.map((box) => box.value)).size > 1) {
    notes.push(`Several scores (${listed(candidates.map((box) => box.source))}); using the last`);
  }
  const score = asScore(last.value!);
  if (score === null) notes.push(`Score ${last.source} is not 0, 0.5 or 1`);
  return score;
}

/** Boxes named in a note: a few, each cut short, so a hostile answer cannot make the note huge. */
const NOTE_BOXES = 5;
const NOTE_BOX_CHARS = 40;

function listed(sources: readonly string[]): string {
  const shown = sources.slice(0, NOTE_BOXES).map((source) => (source.length > NOTE_BOX_CHARS ? `${source.slice(0, NOTE_BOX_CHARS)}…` : source));
  const more = sources.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more.toLocaleString('en-US')} more` : shown.join(', ');
}

function asScore(value: number): Score | null {
  return value === 0 || value === 0.5 || value === 1 ? value : null;
}

/** `\boxed{…}` and `\fbox{…}` with balanced braces; an unterminated one runs to the end. */
function findBoxes(text: string): Box[] {
  const boxes: Box[] = [];
  const opener = /\\(?:boxed|fbox)\s*\{/g;
  for (let match = opener.exec(text); match; match = opener.exec(text)) {
    let depth = 1;
    let i = opener.lastIndex;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    const inner = text.slice(opener.lastIndex, depth === 0 ? i - 1 : i);
    boxes.push({ source: text.slice(match.index, i), value: numericScore(inner) });
    opener.lastIndex = i;
  }
  return boxes;
}

/**
 * A score box holds a number and at most a few words ("1 (complete and rigorous)"); a longer one
 * is something else, and is not read at all: this bounds the work a hostile box can cause.
 */
const MAX_SCORE_BOX_CHARS = 200;

/**
 * `1`, `0.5`, `.5`, `1/2`, `0.5/1`, `\frac12`, `\frac{1}{2}`, `\text{1}`, `1 (complete)` → the
 * number, if it is in [0, 1]; null for anything else, including `1+1=2` (a box the critique
 * quotes from the proof).
 */
export function numericScore(boxContent: string): number | null {
  if (boxContent.length > MAX_SCORE_BOX_CHARS) return null;
  let s = withoutTextWrappers(boxContent)
    .replace(/\\(?:displaystyle|textstyle|,|;|!| )/g, ' ')
    .replace(/\$/g, '')
    .replace(FRACTION, (_, braced1?: string, digit1?: string, braced2?: string, digit2?: string) => `${braced1 ?? digit1}/${braced2 ?? digit2}`)
    .trim();
  const braced = /^\{([^{}]*)\}$/.exec(s);
  if (braced) s = braced[1]!.trim();
  const match = /^(\d*\.?\d+)(?:\s*\/\s*(\d*\.?\d+))?(.*)$/s.exec(s);
  if (!match) return null;
  const rest = match[3]!.trim();
  if (rest !== '' && !/^[\s(,;:.\p{L}]/u.test(rest)) return null;
  const value = Number(match[1]) / (match[2] !== undefined ? Number(match[2]) : 1);
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : null;
}

/** `\frac12`, `\dfrac{1}{2}`, `\frac 1{2}`: each argument one digit or a braced number. */
const FRACTION = /\\[dt]?frac\s*(?:\{\s*(\d+)\s*\}|(\d))\s*(?:\{\s*(\d+)\s*\}|(\d))/g;
const TEXT_WRAPPER = /\\(?:text|textbf|textrm|mathbf|mathrm|mbox|bf)\s*\{/y;

/**
 * `\text{\textbf{1}}` → `1`, in one pass: a wrapper's command and its two braces go, other braces
 * stay. (Peeling one wrapper per pass made deep nesting quadratic.)
 */
function withoutTextWrappers(text: string): string {
  let out = '';
  /** For each brace still open: whether a wrapper opened it. */
  const openedByWrapper: boolean[] = [];
  for (let i = 0; i < text.length; ) {
    const char = text[i]!;
    if (char === '\\') {
      TEXT_WRAPPER.lastIndex = i;
      if (TEXT_WRAPPER.test(text)) {
        openedByWrapper.push(true);
        i = TEXT_WRAPPER.lastIndex;
      } else {
        out += text.slice(i, i + 2); // `\{`, `\frac`'s backslash…: copied, never read as a brace
        i += 2;
      }
      continue;
    }
    if (char === '{') openedByWrapper.push(false);
    if (char !== '}' || openedByWrapper.pop() !== true) out += char;
    i++;
  }
  return out;
}

/** "final score should be: 1", "Overall score: 0.5" when the model forgot the box. */
function scoreStatedInText(text: string): { score: Score; phrase: string } | null {
  const stated = /(?:final|overall)\s+(?:overall\s+)?score[^\n\d]{0,40}?(1\/2|0\.5|0|1)(?![\d./])/gi;
  let last: RegExpExecArray | null = null;
  for (let match = stated.exec(text); match; match = stated.exec(text)) last = match;
  if (!last) return null;
  const score = last[1] === '1/2' ? 0.5 : asScore(Number(last[1]));
  return score === null ? null : { score, phrase: last[0].replace(/\s+/g, ' ').trim() };
}
