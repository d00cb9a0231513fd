/**
 * The speed goals that the unit tests used to hold as time limits (issue 12 §6): each hostile or
 * long input at its full size, timed (wall clock, median of RUNS runs after a warm-up), against
 * the limit the test had. The tests now check the complexity instead (test/helpers/scaling.ts:
 * CPU time at a sixteenth of the size and at full size); that ratio is printed too.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { locateQuote } from '../src/core/critique/locateQuote';
import { parseCritique } from '../src/core/critique/parseCritique';
import { ReasoningSplitter } from '../src/core/reasoning';
import { commentOutRiskyTex, findRiskyTex } from '../src/core/riskyTex';
import { ChatTemplate } from '../src/engine/chatTemplate';
import { SLOW_TEX_INPUTS } from '../test/helpers/hostileTex';
import { proofText } from '../test/helpers/proofText';
import { fastestMs } from '../test/helpers/scaling';
import { BlockSplitter } from '../webview-ui/src/render/blocks';

const RUNS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function wallMs(work: () => void): number {
  work();
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return median(times);
}

interface Case {
  name: string;
  goalMs: number;
  /** The work on an input of `fraction` of the full size (1: the test's size). */
  prepare(fraction: number): () => void;
}

const template = readFileSync(path.resolve(__dirname, '../models/tiny/chat-template.jinja'), 'utf8');
const critiqueShapes: Record<string, (n: number) => string> = {
  'parseCritique: a heading-like line with 100,000 trailing blanks': (n) => `Fine.\n\n## Issues${' '.repeat(n)}x\n\n\\boxed{1}`,
  'parseCritique: a quote field with 100,000 blanks': (n) => `## Issues\n- Severity: gap\n- Quote: "a${' \t'.repeat(n / 2)}b"\n\n\\boxed{1}`,
  'parseCritique: 100,000 opening quotation marks': (n) => `## Issues\n- Severity: gap ${'“„«‘'.repeat(n / 4)}\n\n\\boxed{1}`,
};
const riskyInputs = SLOW_TEX_INPUTS;

const CASES: Case[] = [
  {
    name: 'BlockSplitter: 400,000 characters one at a time',
    goalMs: 3000,
    prepare: (fraction) => {
      const text = proofText(400_000 * fraction);
      return () => {
        const splitter = new BlockSplitter();
        for (const char of text) splitter.push(char);
        splitter.end();
      };
    },
  },
  {
    name: 'ChatTemplate.renderParts: 2,000,000 blanks in the message and the prefill',
    goalMs: 2000,
    prepare: (fraction) => {
      const chat = new ChatTemplate(template);
      const long = `a${' '.repeat(2_000_000 * fraction)}b`;
      return () => chat.renderParts([{ role: 'user', content: long }], long);
    },
  },
  {
    name: 'ReasoningSplitter: 400,000 chunks',
    goalMs: 2000,
    prepare: (fraction) => () => {
      const splitter = new ReasoningSplitter();
      for (let i = 0; i < 200_000 * fraction; i++) { splitter.push('word <'); splitter.push('/x '); }
      splitter.end();
    },
  },
  ...Object.entries(critiqueShapes).map(([name, shape]): Case => ({ name, goalMs: 1000, prepare: (fraction) => {
    const answer = shape(100_000 * fraction);
    return () => parseCritique(answer);
  } })),
  {
    name: 'parseCritique: a score box of 280 KB of nested \\text{}',
    goalMs: 1000,
    prepare: (fraction) => {
      const depth = Math.floor((280 * fraction * 1024) / '\\text{}'.length);
      const answer = `The proof is fine.\n\n\\boxed{${'\\text{'.repeat(depth)}1${'}'.repeat(depth)}}`;
      return () => parseCritique(answer);
    },
  },
  {
    name: 'parseCritique: 20,000 issue lines (50 read)',
    goalMs: 1000,
    prepare: (fraction) => {
      const answer = `## Issues\n${'- Severity: gap "no such text" is not shown\n'.repeat(20_000 * fraction)}\n\\boxed{0}`;
      return () => parseCritique(answer);
    },
  },
  ...Object.entries(riskyInputs).map(([name, latex]): Case => ({ name: `findRiskyTex + commentOutRiskyTex: ${name}`, goalMs: 2000, prepare: (fraction) => {
    const input = latex.slice(0, Math.round(latex.length * fraction));
    return () => commentOutRiskyTex(input, findRiskyTex(input));
  } })),
  {
    name: 'locateQuote: an elided quote of 50 KB parts, 200 KB apart',
    goalMs: 2000,
    prepare: (fraction) => {
      const part = `${'a'.repeat(50_000 * fraction - 1)}b`;
      const proof = `${part}${'a'.repeat(200_000 * fraction)}The end.`;
      return () => locateQuote(proof, `${part} ... The end.`);
    },
  },
];

export async function benchTextScaling(): Promise<string> {
  const rows: string[] = [];
  let worstShare = 0;
  for (const { name, goalMs, prepare } of CASES) {
    const full = prepare(1);
    const ms = wallMs(full);
    const small = prepare(1 / 16);
    small();
    const repeats = Math.max(1, Math.ceil(5 / Math.max(fastestMs(small, 1), 0.01)));
    const smallCpu = fastestMs(() => {
      for (let repeat = 0; repeat < repeats; repeat++) small();
    }, 3) / repeats;
    const ratio = fastestMs(full, 3) / smallCpu;
    worstShare = Math.max(worstShare, ms / goalMs);
    rows.push(`| ${name.replace(/\|/g, '\\|')} | ${ms.toFixed(1)} ms | ${goalMs} ms | ${(ms / goalMs).toFixed(3)} | ${ratio.toFixed(1)}× |`);
  }
  return [
    `#### Text work on long and hostile inputs (wall-clock median of ${RUNS} runs; CPU-time ratio full size / a sixteenth)`,
    '',
    '| input (the unit test’s full size) | median | old test limit | median / limit | 16× input, CPU time (linear ≈ 16–60×, quadratic ≈ 256×; test limit 100×) |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Largest share of a limit: ${(worstShare * 100).toFixed(1)}%.`,
  ].join('\n');
}
