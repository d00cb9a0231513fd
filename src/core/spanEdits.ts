/**
 * Keeps a span of a document pointing at the same text while the document is edited, as the
 * editor does for its own decorations: edits before it move it, edits after it leave it, and an
 * edit of its own text means the user is rewriting that passage, so the span is dropped.
 */
import type { Span } from './theorems/types';

/** One replacement, in offsets of the text before it: `removed` characters at `offset` became `inserted` characters. */
export interface TextEdit {
  offset: number;
  removed: number;
  inserted: number;
}

export function spanAfterEdit(span: Span, edit: TextEdit): Span | null {
  const editEnd = edit.offset + edit.removed;
  const delta = edit.inserted - edit.removed;
  // An insertion exactly at the start counts as before it.
  if (editEnd <= span.start) {
    return { start: span.start + delta, end: span.end + delta };
  }
  if (edit.offset >= span.end) return span;
  return null;
}

/** Applies edits given in the order the editor reports them (each relative to the text after the previous ones). */
export function spanAfterEdits(span: Span, edits: readonly TextEdit[]): Span | null {
  let current: Span | null = span;
  for (const edit of edits) {
    if (!current) return null;
    current = spanAfterEdit(current, edit);
  }
  return current;
}
