/**
 * The eval report as a reader opens it: a file in Debian's Chromium, from real ProofBench
 * problems (their reference solutions standing in for proofs, with made-up gradings that hold
 * math). No request may leave the file, every formula must render with KaTeX's own fonts, and
 * the screenshots (test/e2e/artifacts/eval-report-*.png) are there to be looked at.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { evalHtmlReport, RENDERED_THINKING_CHARS, type EvalSummaryRow } from '../../src/cli/evalHtml';
import { EVAL_RECORD_VERSION, type EvalGrade, type EvalRecord, type EvalSetup } from '../../src/core/eval/evalRecord';
import type { ProofBenchProblem } from '../../src/core/eval/proofBench';
import { proofBenchProblems } from '../helpers/proofBench';
import { ARTIFACTS, CHROMIUM } from '../helpers/webviewPage';

// page.evaluate callbacks run in the browser; this file is type-checked without the DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

/** The problems shown: their solutions are all valid KaTeX (three of the 60 are not: PB-Basic-021, PB-Advanced-006 and -011). */
const CHOSEN = new Set(['PB-Basic-001', 'PB-Basic-020', 'PB-Advanced-024', 'PB-Advanced-016']);

const SETUP: EvalSetup = { mode: 'prove', solver: 'endpoint http://127.0.0.1:8080/v1 qed-nano', judge: 'self', temperature: 0.6, topP: 0.95, maxTokens: 49_152 };

const GRADING = [
  '**Summary.** The proof sets $x = 0$ to get $f(0) + 2f(y) = f(f(y))$, then shows $f(y+1) - f(y)$ is constant.',
  '',
  'The key step is correct:',
  '$$2\\bigl(f(y+1) - f(y)\\bigr) = f(2) - f(0) \\quad\\Longrightarrow\\quad f(x) = kx + c.$$',
  '',
  '<points>7 out of 7</points>',
].join('\n');

function grade(overrides: Partial<EvalGrade>): EvalGrade {
  return { status: 'graded', points: 7, grading: GRADING, timeMs: 41_000, tokens: 2_150, prompt: [{ role: 'user', content: 'Grade this proof…' }], ...overrides };
}

function record(problem: ProofBenchProblem, sample: number, answer: string, g: EvalGrade, reasoning: string): EvalRecord {
  return {
    type: 'eval',
    version: EVAL_RECORD_VERSION,
    problemId: problem.id,
    sample,
    level: problem.level,
    category: problem.category,
    statement: problem.problem,
    setup: SETUP,
    seed: sample,
    prompt: [{ role: 'user', content: `Generate a rigorous proof to the following question:\n\n${problem.problem}` }],
    response: { reasoning, content: answer, status: 'done', startedAt: 0, reasoningTokens: 9_000, contentTokens: 1_200 },
    answer,
    tokens: 10_200 + 977 * sample,
    timeMs: 183_000 + 17_000 * sample,
    grade: g,
    points: g.points,
    finishedAt: Date.UTC(2026, 11, 6, 4, sample),
  };
}

/** Two samples per problem: the reference solution graded 7, and a variety of other outcomes. */
function records(): EvalRecord[] {
  const problems = proofBenchProblems().filter((problem) => CHOSEN.has(problem.id));
  assert.equal(problems.length, CHOSEN.size, 'the chosen problems are in the CSV');
  const longThinking = 'Let me try $n = 1$: then $a_1^2 \\le 2$. '.repeat(Math.ceil(RENDERED_THINKING_CHARS / 30));
  const others: EvalGrade[] = [
    grade({ points: 3.5, grading: 'The bound $\\sum_{i=1}^n a_i \\le \\sqrt{n}$ is asserted without proof.\n\n<points>3.5 out of 7</points>' }),
    grade({ status: 'unreadable', points: null, note: 'The grading ends without a <points> tag.', grading: 'The argument for $p \\mid n$ is incomplete.' }),
    grade({ status: 'no-proof', points: 0, grading: undefined, prompt: undefined, timeMs: 0, tokens: 0 }),
    grade({ points: 0, grading: 'The claimed identity $\\angle APB = 90^\\circ$ is false in general.\n\n<points>0 out of 7</points>' }),
  ];
  return problems.flatMap((problem, i) => [
    record(problem, 1, problem.solution, grade({}), 'Consider small cases: $f(x) = 2x$ works.'),
    record(problem, 2, others[i]!.status === 'no-proof' ? '' : problem.solution.slice(0, 600), others[i]!, i === 0 ? longThinking : 'Try $x = y$.'),
  ]);
}

const SUMMARY: EvalSummaryRow[] = [
  { name: 'IMO-easy', n: 6, percent: 66.7, interval: [31.8, 91.2], unreadable: 0, tokensPerProblem: 22_384, timeMsPerProblem: 401_000 },
  { name: 'IMO-hard', n: 2, percent: 50, interval: [0, 100], unreadable: 1, tokensPerProblem: 22_384, timeMsPerProblem: 401_000 },
  { name: 'Overall', n: 8, percent: 62.5, interval: [35.2, 89.8], unreadable: 1, tokensPerProblem: 22_384, timeMsPerProblem: 401_000 },
];

describe('eval HTML report in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;
  let folder: string;
  let file: string;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.warn(`      Skipping the eval report browser test: ${CHROMIUM} is not installed (apt-get install chromium).`);
      this.skip();
    }
    folder = await mkdtemp(join(tmpdir(), 'qed-eval-html-'));
    file = join(folder, 'report.html');
    await writeFile(file, evalHtmlReport({ title: 'QED-Nano on IMO-ProofBench (test data)', records: records(), summary: SUMMARY }));
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** Opens the report; every request is recorded, and any but the file itself is refused. */
  async function open(colorScheme: 'light' | 'dark'): Promise<{ page: Page; requests: string[]; problems: string[] }> {
    const page = await browser.newPage({ colorScheme, viewport: { width: 1100, height: 1400 } });
    const url = pathToFileURL(file).href;
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => problems.push(`console ${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url);
    await page.evaluate(() => document.fonts.ready);
    return { page, requests: requests.filter((request) => !request.startsWith('data:')), problems };
  }

  for (const colorScheme of ['dark', 'light'] as const) {
    it(`renders every formula with KaTeX's fonts and no request (${colorScheme})`, async () => {
      const { page, requests, problems } = await open(colorScheme);
      try {
        assert.deepEqual(requests, [pathToFileURL(file).href], 'the file is the only request');
        assert.deepEqual(problems, [], 'no console message (a CSP refusal would be one)');
        const math = await page.evaluate(() => ({
          katex: document.querySelectorAll('.katex').length,
          errors: document.querySelectorAll('.katex-error, .math-source').length,
          deferred: document.querySelectorAll('[data-katex-style]').length,
          scripts: document.querySelectorAll('script').length,
          loaded: [...document.fonts].filter((face: any) => face.status === 'loaded').map((face: any) => face.family),
          mainFont: document.fonts.check('16px KaTeX_Main'),
          // A strut is an empty box as tall as its style attribute says: 0 if the style did not apply.
          struts: [...document.querySelectorAll('.katex-strut')].filter((strut: any) => strut.offsetParent !== null).map((strut: any) => strut.getBoundingClientRect().height),
        }));
        assert.ok(math.katex > 100, `${math.katex} formulas`);
        assert.equal(math.errors, 0, 'no formula left as source');
        assert.equal(math.deferred, 0);
        assert.equal(math.scripts, 0);
        assert.ok(math.loaded.includes('KaTeX_Main') && math.loaded.includes('KaTeX_Math'), `fonts loaded: ${math.loaded.join(', ')}`);
        assert.ok(math.mainFont);
        assert.ok(math.struts.length > 100 && math.struts.every((height: number) => height > 0), 'KaTeX\'s inline styles apply');
        await page.screenshot({ path: join(ARTIFACTS, `eval-report-${colorScheme}.png`) });
        if (colorScheme === 'dark') await screenshotSample(page);
      } finally {
        await page.close();
      }
    });
  }

  /** The first problem with its collapsed parts opened: the grading's math is rendered too. */
  async function screenshotSample(page: Page): Promise<void> {
    await page.evaluate(() => {
      for (const details of document.querySelectorAll('section.problem:first-of-type article:first-of-type details')) details.open = true;
    });
    await page.evaluate(() => document.fonts.ready);
    const path = join(ARTIFACTS, 'eval-report-problem-dark.png');
    await page.locator('section.problem').first().screenshot({ path });
    console.log(`      screenshots: ${ARTIFACTS}/eval-report-{dark,light,problem-dark}.png`);
  }
});
