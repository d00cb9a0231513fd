/**
 * Finds where in a proof a critique's quote comes from. A model copies "exactly" with small
 * changes (spacing, `$`, `\left(`, `\,`, capitals, a `...` for a skipped middle), so matching
 * gets looser in steps, and every step maps its match back to the original proof text through
 * an offset table. Each step is a linear normalisation plus `indexOf`.
 */
import type { Span } from '../theorems/types';

interface Normalized {
  text: string;
  /** `offsets[i]`: index in the original text of `text[i]`. */
  offsets: number[];
}

type Normalizer = (text: string) => Normalized;

/** Elisions a quote may use for a skipped middle. (`\dots` is not one: it is mathematics.) */
const ELISION = /\s*(?:\.\.\.|…|\[\s*(?:\.\.\.|…)\s*\])\s*/;

export function locateQuote(proof: string, quote: string): Span | null {
  const wanted = quote.trim();
  if (wanted === '' || proof === '') return null;
  const normalizers: Normalizer[] = [identity, withoutWhitespace, withoutMarkup];
  // Normalised proofs are built on first use: most quotes match exactly and need none.
  const proofForms: Normalized[] = [];
  const proofAt = (level: number) => (proofForms[level] ??= normalizers[level]!(proof));
  const exact = proof.indexOf(wanted);
  if (exact >= 0) return { start: exact, end: exact + wanted.length };
  for (let level = 1; level < normalizers.length; level++) {
    const span = find(proofAt(level), normalizers[level]!(wanted).text, level === 2);
    if (span) return closeBraces(proof, span);
  }
  const parts = wanted.split(ELISION).filter((part) => part.trim() !== '');
  if (parts.length < 2) return null;
  for (let level = 0; level < normalizers.length; level++) {
    const first = normalizers[level]!(parts[0]!).text;
    const last = normalizers[level]!(parts[parts.length - 1]!).text;
    const span = findElided(proofAt(level), first, last, level === 2);
    if (span) return closeBraces(proof, span);
  }
  return null;
}

function find(proof: Normalized, needle: string, trimPunctuation: boolean): Span | null {
  const candidates = trimPunctuation ? [needle, needle.replace(/[.,;:]+$/, '')] : [needle];
  for (const candidate of candidates) {
    if (candidate === '') continue;
    const at = proof.text.indexOf(candidate);
    if (at >= 0) return toOriginal(proof, at, at + candidate.length);
  }
  return null;
}

/** First part, then the nearest last part after it, then the first part's last occurrence before that. */
function findElided(proof: Normalized, first: string, last: string, trimPunctuation: boolean): Span | null {
  const tail = trimPunctuation ? last.replace(/[.,;:]+$/, '') : last;
  if (first === '' || tail === '') return null;
  const firstAt = proof.text.indexOf(first);
  if (firstAt < 0) return null;
  const lastAt = proof.text.indexOf(tail, firstAt + first.length);
  if (lastAt < 0) return null;
  const start = lastOccurrenceEndingBy(proof.text, first, lastAt);
  return toOriginal(proof, start, lastAt + tail.length);
}

/**
 * Start of the last `part` that ends at or before `end` (there is one). A forward search in the
 * reversed text: V8's `lastIndexOf` compares the part anew at every position, which took seconds
 * for a long part far from the match.
 */
function lastOccurrenceEndingBy(text: string, part: string, end: number): number {
  const reversed = reverse(text.slice(0, end));
  return end - reversed.indexOf(reverse(part)) - part.length;
}

/** Reversed by UTF-16 code units, like the search: a match maps to a match either way. */
function reverse(text: string): string {
  return text.split('').reverse().join('');
}

function toOriginal(proof: Normalized, start: number, end: number): Span {
  return { start: proof.offsets[start]!, end: proof.offsets[end - 1]! + 1 };
}

/** A span ending inside `\frac{p}{q` is extended over the closing braces the match skipped. */
function closeBraces(text: string, span: Span): Span {
  let open = 0;
  for (let i = span.start; i < span.end; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '{') open++;
    else if (text[i] === '}') open--;
  }
  let end = span.end;
  while (open > 0 && text[end] === '}') {
    end++;
    open--;
  }
  return { start: span.start, end };
}

function identity(text: string): Normalized {
  return { text, offsets: Array.from({ length: text.length }, (_, i) => i) };
}

/** `\s`, tested on character codes: a regular expression per character made long proofs slow to normalise. */
function isWhitespace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(String.fromCharCode(code));
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function withoutWhitespace(text: string): Normalized {
  const out: string[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (isWhitespace(text.charCodeAt(i))) continue;
    out.push(text[i]!);
    offsets.push(i);
  }
  return { text: out.join(''), offsets };
}

/** Control words dropped whole (only when not followed by a letter: `\right` but not `\rightarrow`). */
const DROPPED_COMMANDS = new Set(['left', 'right', 'displaystyle', 'textstyle', 'textbf', 'emph', 'textit', 'mathrm', 'text', 'big', 'Big', 'bigl', 'bigr', 'Bigl', 'Bigr']);
/** Control symbols that are only spacing or math delimiters: `\,` `\!` `\;` `\:` `\ ` `\(` `\)` `\[` `\]`. */
const DROPPED_SYMBOLS = new Set([',', '!', ';', ':', ' ', '(', ')', '[', ']']);
/** Characters that are only markup: math shifts, braces, `~`, Markdown emphasis. */
const DROPPED_CHARACTERS = new Set(['$', '{', '}', '~', '*']);

/**
 * Drops whitespace, math delimiters, braces, spacing commands, `\left`/`\right`, emphasis
 * wrappers and Markdown `*`, and lowercases words (runs of two or more letters outside a control
 * word), so "We Have" matches "we have" while the variables `A` and `a` stay distinct.
 */
function withoutMarkup(text: string): Normalized {
  const out: string[] = [];
  const offsets: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      let end = i + 1;
      while (end < text.length && isAsciiLetter(text.charCodeAt(end))) end++;
      const word = text.slice(i + 1, end);
      if (word === '' ? DROPPED_SYMBOLS.has(text[i + 1]!) : DROPPED_COMMANDS.has(word)) {
        i = word === '' ? i + 2 : end;
        continue;
      }
      const length = word === '' ? 2 : end - i;
      for (let k = i; k < i + length; k++) {
        out.push(text[k]!);
        offsets.push(k);
      }
      i += length;
      continue;
    }
    if (isWhitespace(text.charCodeAt(i)) || DROPPED_CHARACTERS.has(c)) {
      i++;
      continue;
    }
    if (isAsciiLetter(text.charCodeAt(i))) {
      let end = i;
      while (end < text.length && isAsciiLetter(text.charCodeAt(end))) end++;
      const lower = end - i >= 2;
      for (let k = i; k < end; k++) {
        out.push(lower ? text[k]!.toLowerCase() : text[k]!);
        offsets.push(k);
      }
      i = end;
      continue;
    }
    out.push(c);
    offsets.push(i);
    i++;
  }
  return { text: out.join(''), offsets };
}
