/**
 * What Insert proof puts into a .tex file compiles with pdflatex: the 60 human-written reference
 * solutions of ../shared/corpus/imo-proofbench (Markdown with math, see its SOURCES.md) turned
 * into `\begin{proof}` blocks by the same function as Insert proof.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { proofBlock } from '../../src/core/proofToLatex';
import { compileLatex, pdflatexUnavailable } from '../helpers/pdflatex';

const PROOFBENCH = path.resolve(__dirname, '../../../shared/corpus/imo-proofbench/proofbench_v2.csv');

/** RFC 4180: fields in double quotes may hold commas, newlines and doubled quotes. */
function readCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const [header, ...records] = rows;
  return records.map((record) => Object.fromEntries(header!.map((name, column) => [name, record[column] ?? ''])));
}

describe('Inserted proofs compile with pdflatex', function () {
  this.timeout(180_000);

  before(function () {
    const unavailable = pdflatexUnavailable();
    if (unavailable) {
      console.warn(`      Skipping the pdflatex tests: ${unavailable}.`);
      this.skip();
    }
  });

  it('compiles all 60 IMO-ProofBench reference solutions as Insert proof writes them', async () => {
    const solutions = readCsv(readFileSync(PROOFBENCH, 'utf8')).map((record) => ({ id: record['Problem ID']!, block: proofBlock(record.Solution!, 'latex') }));
    assert.equal(solutions.length, 60);
    const all = await compileLatex(solutions.map(({ id, block }) => `\\section*{${id}}\n${block}`).join('\n\n'));
    if (all.ok) return;
    // One document stops at its first error: compile each alone to name every failure.
    const failures: string[] = [];
    for (const { id, block } of solutions) {
      const alone = await compileLatex(block);
      if (!alone.ok) failures.push(`${id}: ${alone.errors.join('; ')}`);
    }
    assert.deepEqual(failures, [], `all 60 in one document: ${all.errors.join('; ')}`);
  });
});
