/**
 * The editor's selection as a quote for the composer, with what the conversation keeps from the
 * document it came from: the file and lines, and the document's macros so its notation renders.
 */
import * as vscode from 'vscode';
import { findMacroDefinitions, katexMacros } from '../../core/context/macros';
import { quoteSelection, quoteText } from '../../core/composer/selectionQuote';
import type { ConversationSource } from './conversations';

export interface QuotedSource {
  quote: string;
  source?: ConversationSource;
}

export function quoteEditorSelection(editor: vscode.TextEditor | undefined): QuotedSource | undefined {
  if (!editor || editor.selection.isEmpty) return undefined;
  return quoteRange(editor, editor.selection);
}

/** Text dropped on the composer: with its origin when it is what the editor has selected. */
export function quoteDropped(editor: vscode.TextEditor | undefined, text: string): QuotedSource {
  const normalise = (value: string) => value.replace(/\r\n/g, '\n').trim();
  const selection = editor?.selections.find((candidate) => !candidate.isEmpty && normalise(editor.document.getText(candidate)) === normalise(text));
  return editor && selection ? quoteRange(editor, selection) : { quote: quoteText(text) };
}

function quoteRange(editor: vscode.TextEditor, range: vscode.Selection): QuotedSource {
  const document = editor.document;
  const startLine = range.start.line + 1;
  // A selection ending at the start of a line does not include that line.
  const endLine = range.end.character === 0 && range.end.line > range.start.line ? range.end.line : range.end.line + 1;
  const file = vscode.workspace.asRelativePath(document.uri, false);
  const quote = quoteSelection({ text: document.getText(range), file, startLine, endLine });
  const isLatex = document.languageId === 'latex' || document.languageId === 'tex' || document.fileName.endsWith('.tex');
  const macros = isLatex ? katexMacros(findMacroDefinitions(document.getText(), document.uri.fsPath)) : undefined;
  return { quote, source: { origin: { file, startLine, endLine }, katexMacros: macros && Object.keys(macros).length ? macros : undefined } };
}
