/**
 * The issues list of a critique. Asked for as
 *
 *     ## Issues
 *     1. **Severity:** critical error
 *        **Quote:** "…"
 *        **Explanation:** …
 *
 * but read in whatever shape it comes: bullets or numbers, one field per line or all on one,
 * each field its own bullet, bold/italic/plain labels in any case, `### Issue 2` headings,
 * quotes in "…", “…”, `…` or a > blockquote, or free text with a severity word in it.
 */
import type { CritiqueIssue } from './parseCritique';

type Field = 'severity' | 'quote' | 'explanation';

const LABELS: Record<string, Field> = {
  severity: 'severity', type: 'severity', category: 'severity', level: 'severity', classification: 'severity',
  quote: 'quote', excerpt: 'quote', 'quoted text': 'quote', location: 'quote', text: 'quote',
  explanation: 'explanation', reason: 'explanation', description: 'explanation', issue: 'explanation',
  problem: 'explanation', details: 'explanation', why: 'explanation', comment: 'explanation',
};
const LABEL_WORDS = Object.keys(LABELS).sort((a, b) => b.length - a.length).join('|');
/** `**Severity:**`, `**Severity**:`, `__Quote__:`, `*Explanation:*` anywhere in a line. */
const EMPHASISED_LABEL = new RegExp(String.raw`(\*\*|__|\*|_)\s*(${LABEL_WORDS})\s*(?::\s*\1|\1\s*:)\s*`, 'gi');
/** `Severity:` at the start of a line, after an optional list marker. */
const PLAIN_LABEL = new RegExp(String.raw`^([ \t]*(?:[-*+•][ \t]+|\d+[.)][ \t]+)?)(${LABEL_WORDS})[ \t]*:[ \t]*`, 'gim');

const ITEM_MARKER = /^[ \t]{0,3}(?:[-*+•][ \t]+|\d+[.)][ \t]+|\*\*\d+[.)]?\*\*[ \t]*|#{1,6}[ \t]*(?:issue|problem|error)\b[ \t]*\d*[ \t]*[:.)]?|(?:issue|problem|error)[ \t]*\d+[ \t]*[:.)])/i;
/** What a heading line may start with: indentation, `#`s, bold. Always matches (and cannot backtrack far). */
const HEADING_PREFIX = /^[ \t]{0,3}(?:#{1,6})?[ \t]*(?:\*\*|__)?/;
/** The heading's words, once its prefix and its trailing blanks, colons and emphasis are cut off. */
const SECTION_HEADING_WORDS =
  /^(?:list of[ \t]+)?(?:(?:identified|detected|key|main|specific)[ \t]+)?(?:issues?|problems|errors|flaws)(?:[ \t]+(?:found|identified|detected|list))?$/i;
const ITEM_HEADING = /^[ \t]{0,3}#{1,6}[ \t]*(?:issue|problem|error)[ \t]*\d+/i;
const SECTION_END = /^[ \t]{0,3}#{1,6}\s|based on my evaluation|(?:final|overall)\s+(?:overall\s+)?score|\\boxed|^[ \t]{0,3}(?:\*\*|__)?(?:score|evaluation|summary|conclusion|verdict)\b/i;
const NO_ISSUES = /^(?:none|n\/a|nothing|(?:there (?:are|were) )?no (?:significant |major )?(?:issues?|errors?|problems?)(?: (?:were )?(?:found|identified))?)\.?$/i;

export interface IssuesSection {
  /** Offsets in the text, for cutting the section out of the evaluation. */
  start: number;
  end: number;
  body: string;
}

/**
 * The last `## Issues` section (heading included), or, without a heading, the run of items from the
 * first line with a `Severity:` label. Ends at the next other heading or the final score.
 */
export function findIssuesSection(text: string): IssuesSection | null {
  const lines = splitLines(text);
  // The last such heading: the format puts the list after the evaluation.
  let first = lines.findLastIndex((line) => isSectionHeading(line.text));
  let bodyFrom = first + 1;
  if (first < 0) {
    const severityLine = lines.findIndex((line) => /severity[*_ \t]*:/i.test(line.text));
    if (severityLine < 0) return null;
    first = severityLine;
    while (first > 0 && severityLine - first < 3 && !ITEM_MARKER.test(lines[first]!.text) && lines[first - 1]!.text.trim() !== '') first--;
    bodyFrom = first;
  }
  let last = bodyFrom;
  while (last < lines.length && (ITEM_HEADING.test(lines[last]!.text) || !SECTION_END.test(lines[last]!.text))) last++;
  const start = lines[first]!.start;
  const end = last < lines.length ? lines[last]!.start : text.length;
  const bodyStart = bodyFrom < lines.length ? lines[bodyFrom]!.start : text.length;
  return { start, end, body: text.slice(bodyStart, end) };
}

/**
 * `## Issues`, `**Identified issues:**`, `### Problems found :`. The decoration around the words
 * is cut off by hand: as optional runs of blanks in one pattern, it backtracked polynomially on a
 * line with many trailing blanks (2,000 took over 20 s).
 */
function isSectionHeading(line: string): boolean {
  const prefix = HEADING_PREFIX.exec(line)![0];
  let end = line.length;
  while (end > prefix.length && ' \t:*_'.includes(line[end - 1]!)) end--;
  return SECTION_HEADING_WORDS.test(line.slice(prefix.length, end).trim());
}

/** A critique lists a handful of issues; more is a runaway answer, and each costs a search of the proof. */
const MAX_ISSUES = 50;

export function parseIssues(body: string, notes: string[]): CritiqueIssue[] {
  const issues: CritiqueIssue[] = [];
  for (const item of splitItems(body)) {
    const issue = readIssue(item, issues.length + 1, notes);
    if (!issue) continue;
    if (issues.length === MAX_ISSUES) {
      notes.push(`More than ${MAX_ISSUES} issues: only the first ${MAX_ISSUES} are listed`);
      break;
    }
    issues.push(issue);
  }
  return issues;
}

/** Items start at a list marker or heading, or at a label the current item already has. */
function splitItems(body: string): string[] {
  const items: string[][] = [];
  let current: string[] | null = null;
  let currentFields = new Set<Field>();
  for (const { text: line } of splitLines(body)) {
    const leading = leadingField(line);
    const startsItem = current === null ? line.trim() !== '' : leading ? currentFields.has(leading) : ITEM_MARKER.test(line) && !/^[ \t]{2,}/.test(line);
    if (startsItem) {
      current = [];
      items.push(current);
      currentFields = new Set();
    }
    if (!current) continue;
    current.push(line);
    for (const field of fieldsIn(line)) currentFields.add(field);
  }
  return items.map((lines) => lines.join('\n'));
}

function readIssue(item: string, number: number, notes: string[]): CritiqueIssue | null {
  const labels = labelMatches(item);
  const fields = readFields(item, labels);
  const whole = collapse(stripMarker(item));
  if (NO_ISSUES.test(whole.replace(/[*_]/g, ''))) return null;
  const quote = fields.quote !== undefined ? cleanQuote(fields.quote.text) : firstQuoted(item);
  let explanation: string;
  if (fields.explanation !== undefined) explanation = collapse(fields.explanation.text);
  else if (labels.length > 0) explanation = leftover(item, labels, fields);
  else explanation = withoutSeverityPrefix(whole); // free text: the quote stays, it is part of the sentence
  if (quote === null && explanation === '') return null;
  let severity = severityFrom(fields.severity?.text ?? whole.slice(0, 80));
  if (severity === null) {
    severity = 'gap';
    notes.push(
      fields.severity !== undefined
        ? `Issue ${number}: unknown severity "${collapse(fields.severity.text)}"; treated as a justification gap`
        : `Issue ${number} has no severity; treated as a justification gap`,
    );
  }
  return { severity, quote, explanation };
}

/**
 * An item with labels but no explanation label ("**Severity:** critical. The proof divides by
 * zero."): what is left after the labels, the quote field and the severity phrase.
 */
function leftover(item: string, labels: LabelMatch[], fields: Fields): string {
  const cut: { start: number; end: number }[] = labels.map(({ start, end }) => ({ start, end }));
  if (fields.quote) {
    const value = fields.quote.text;
    const quoted = firstQuoted(value);
    const quoteEnd = quoted === null ? value.length : value.indexOf(quoted) + quoted.length + 1;
    cut.push({ start: fields.quote.start, end: fields.quote.start + Math.min(value.length, quoteEnd) });
  }
  if (fields.severity) {
    const phrase = /^[^.;,\n—–]*/.exec(fields.severity.text)![0];
    cut.push({ start: fields.severity.start, end: fields.severity.start + phrase.length });
  }
  cut.sort((a, b) => a.start - b.start);
  let text = '';
  let from = 0;
  for (const { start, end } of cut) {
    if (start > from) text += item.slice(from, start) + ' ';
    from = Math.max(from, end);
  }
  text += item.slice(from);
  return collapse(stripMarker(text.trim()).replace(/^[\s.:;,—–-]+/, '').replace(/\*\*|__/g, ''));
}

/** "Critical error: the claim …" → "the claim …" (a label of at most two words). */
function withoutSeverityPrefix(text: string): string {
  const prefix = /^(?:\*\*|__)?([A-Za-z]+(?: [A-Za-z]+)?)(?:\*\*|__)?\s*[:.–—-](?:\*\*|__)?\s+/.exec(text);
  return prefix && severityFrom(prefix[1]!) !== null ? text.slice(prefix[0].length) : text;
}

function severityFrom(text: string): CritiqueIssue['severity'] | null {
  const s = text.toLowerCase();
  if (/\bminor\b|\bsmall\b|\btypo|cosmetic|presentation|\bstyle\b/.test(s)) return 'minor';
  if (/critical|fatal|\bmajor\b|severe|serious|\berror\b|incorrect|\bwrong\b|invalid|\bfalse\b/.test(s)) return 'critical';
  if (/\bgap\b|justif|incomplete|missing|omi(?:t|ss)|unjustified|unclear|insufficient|\bvague\b|moderate/.test(s)) return 'gap';
  return null;
}

interface LabelMatch {
  field: Field;
  start: number;
  end: number;
}
type Fields = Partial<Record<Field, { text: string; start: number }>>;

/** Field → its text (up to the next label) and where that text starts; the first of each wins. */
function readFields(item: string, labels: LabelMatch[]): Fields {
  const fields: Fields = {};
  labels.forEach((label, k) => {
    const end = k + 1 < labels.length ? labels[k + 1]!.start : item.length;
    fields[label.field] ??= { text: item.slice(label.end, end), start: label.end };
  });
  return fields;
}

function labelMatches(text: string): LabelMatch[] {
  const found: LabelMatch[] = [];
  for (const match of text.matchAll(EMPHASISED_LABEL)) {
    found.push({ field: LABELS[match[2]!.toLowerCase()]!, start: match.index, end: match.index + match[0].length });
  }
  for (const match of text.matchAll(PLAIN_LABEL)) {
    // The label starts with its line's list marker, so the previous field does not end in "- ".
    const end = match.index + match[0].length;
    if (found.some((other) => match.index < other.end && other.start < end)) continue;
    found.push({ field: LABELS[match[2]!.toLowerCase()]!, start: match.index, end });
  }
  return found.sort((a, b) => a.start - b.start);
}

function leadingField(line: string): Field | null {
  const labels = labelMatches(line);
  if (labels.length === 0) return null;
  const before = line.slice(0, labels[0]!.start);
  return /^[ \t]*(?:[-*+•]|\d+[.)]|\*\*\d+[.)]?\*\*)?[ \t]*$/.test(before) ? labels[0]!.field : null;
}

function fieldsIn(line: string): Field[] {
  return labelMatches(line).map((label) => label.field);
}

/**
 * Quotation styles, each as a pattern for one quoted run. `'…'` only around words, not apostrophes.
 * No run crosses its own opening mark, so a search never rescans the rest of the text from every
 * mark (100,000 unclosed “ took seconds).
 */
const QUOTED_RUNS = [
  /"([^"\n]+)"/,
  /“([^“”]+)”/,
  /„([^„“]+)“/,
  /«([^«»]+)»/,
  /``([^`]+?)''/,
  /`([^`\n]+)`/,
  /(?<![\p{L}\d])'([^'\n]+)'(?![\p{L}\d])/u,
  /‘([^‘’]+)’/,
];

/**
 * The excerpt of a `Quote:` field: blockquote markers removed; then the whole field if one pair
 * of quotation marks wraps it (inner quotes kept), else the first quoted run, else the field.
 */
function cleanQuote(value: string): string | null {
  let s = value
    .split('\n')
    .map((line) => line.replace(/^[ \t]*>[ \t]?/, ''))
    .join('\n')
    .trim()
    .replace(/^[-*+•][ \t]+/, '')
    .replace(/^(?:\*\*|__)|(?:\*\*|__)$/g, '')
    .trim();
  const wrapped = /^(["“„«‘`]|``)([\s\S]+)(["”“»’`]|'')[.,;]?$/.exec(s);
  s = wrapped ? wrapped[2]! : (firstQuoted(s) ?? s);
  // Lines joined with one space, by splitting: a pattern for "blanks, newline, blanks" retried from
  // every blank of a long run without a newline.
  s = s.split('\n').map((line) => line.trim()).join(' ').trim();
  if (s === '' || /^\(?(?:none|n\/a|not applicable|-|—)\)?\.?$/i.test(s)) return null;
  return s;
}

/** The earliest quoted run in a text ("…", “…”, `…`, …), or a > blockquote; null if none. */
function firstQuoted(text: string): string | null {
  let best: { at: number; quote: string } | null = null;
  for (const pattern of QUOTED_RUNS) {
    const match = pattern.exec(text);
    if (match && match[1]!.trim() !== '' && (!best || match.index < best.at)) best = { at: match.index, quote: match[1]!.trim() };
  }
  if (best) return best.quote;
  const blockquote = text.split('\n').filter((line) => /^[ \t]*>/.test(line));
  return blockquote.length > 0 ? collapse(blockquote.map((line) => line.replace(/^[ \t]*>[ \t]?/, '')).join(' ')) || null : null;
}

function stripMarker(item: string): string {
  return item.replace(ITEM_MARKER, '');
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function splitLines(text: string): { text: string; start: number }[] {
  const lines: { text: string; start: number }[] = [];
  let start = 0;
  for (const line of text.split('\n')) {
    lines.push({ text: line, start });
    start += line.length + 1;
  }
  return lines;
}
