/**
 * No call in the sources spreads an array into its arguments (`list.push(...items)`,
 * `Math.max(...values)`, `node.replaceChildren(...nodes)`): every spread item goes on the stack,
 * and from about 150k items the call throws "Maximum call stack size exceeded". A document or a
 * model decides how long most lists are, so lists are appended in a loop (core/arrays.ts
 * `pushAll`, the webview's `replaceChildrenWith`).
 *
 * Allowed: forwarding the enclosing function's own rest parameter (as many items as its caller
 * passed), and the few calls listed below, whose lists are fixed in the code.
 */
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const REPO = path.resolve(__dirname, '../..');
const SOURCES = ['src', 'webview-ui/src'];

/** File → the calls (as written) that may spread, each bounded by the code itself. */
const BOUNDED: Record<string, string[]> = {
  // The actions offered for one error: at most a few.
  'src/vscode/errorPresenter.ts': ['vscode.window.showErrorMessage(`QED: ${message}`, ...actions.map((action) => action.title))'],
  // The answer's seven buttons.
  'webview-ui/src/chat/messageView.ts': ["element('div', { class: 'answer-actions', role: 'group', 'aria-label': 'Answer actions' }, ...Object.values(this.buttons))"],
};

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Whether `spread` passes on a rest parameter of a function around it. */
function forwardsRestParameter(spread: ts.SpreadElement): boolean {
  if (!ts.isIdentifier(spread.expression)) return false;
  const name = spread.expression.text;
  for (let node: ts.Node | undefined = spread.parent; node; node = node.parent) {
    if (ts.isFunctionLike(node) && node.parameters.some((parameter) => parameter.dotDotDotToken && ts.isIdentifier(parameter.name) && parameter.name.text === name)) return true;
  }
  return false;
}

function argumentSpreads(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isSpreadElement(node) && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent)) && !forwardsRestParameter(node)) {
      found.push(node.parent.getText(source).replace(/\s+/g, ' '));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('argument spreads', () => {
  it('no call spreads a list whose length the input decides', () => {
    const offending: string[] = [];
    for (const directory of SOURCES) {
      for (const file of sourceFiles(path.join(REPO, directory))) {
        const relative = path.relative(REPO, file).split(path.sep).join('/');
        const allowed = BOUNDED[relative] ?? [];
        for (const call of argumentSpreads(file)) if (!allowed.includes(call)) offending.push(`${relative}: ${call}`);
      }
    }
    assert.deepEqual(offending, [], 'append in a loop instead (pushAll, replaceChildrenWith)');
  });
});
