/**
 * An editor selection as a quoted block for the composer: where it comes from (file and lines),
 * then the text as a Markdown quote, so its math renders in the chat and the model sees exactly
 * what was selected. Pure: no VS Code.
 */
export interface QuotedSelection {
  text: string;
  /** The file as shown to the user (workspace-relative). */
  file: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
}

export function quoteSelection(selection: QuotedSelection): string {
  const lines = selection.startLine === selection.endLine ? `line ${selection.startLine}` : `lines ${selection.startLine}–${selection.endLine}`;
  const body = selection.text.replace(/\s+$/, '').split('\n').map((line) => (line.trim() ? `> ${line}` : '>'));
  return [`> From \`${selection.file}\`, ${lines}:`, '>', ...body].join('\n');
}

/** A quote without a known origin (text dropped from elsewhere). */
export function quoteText(text: string): string {
  return text.replace(/\s+$/, '').split('\n').map((line) => (line.trim() ? `> ${line}` : '>')).join('\n');
}
