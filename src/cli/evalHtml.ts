/**
 * The `qed eval` report: one self-contained HTML file listing each problem with its proofs and
 * their gradings, for a person to read (the JSONL stays the record for machines).
 *
 * Markdown and math go through the webviews' own renderer, so a proof looks as it does in the
 * Proof panel, with the same safety (raw HTML shown as text, no images loaded, bounded KaTeX
 * work). That renderer keeps KaTeX's inline styles aside as `data-katex-style` for the panel's
 * CSP; a static file puts them back as `style` attributes, so the report needs no script. Its own
 * CSP allows no script and no request: fonts and styles are inline.
 */
import type { EvalRecord, EvalSetup } from '../core/eval/evalRecord';
import { latestRecords } from '../core/eval/evalSummary';
import { escapeHtml } from '../core/html';
import { createMarkdownRenderer, type MarkdownRenderer } from '../../webview-ui/src/render/markdown';
import { DEFERRED_STYLE_ATTRIBUTE } from '../../webview-ui/src/render/mathRenderer';
import { inlineKatexCss } from './evalHtmlAssets';
import { REPORT_CSS } from './evalHtmlStyle';

/** One row of the summary table: a level, or the overall row (last). */
export interface EvalSummaryRow {
  name: string;
  /** How many (problem, sample) grades the percent is over. */
  n: number;
  /** Mean points ÷ 7, in percent (0–100); null when nothing was graded. */
  percent: number | null;
  /** The 95% interval of `percent`, in percent. */
  interval: [number, number] | null;
  unreadable: number;
  tokensPerProblem: number | null;
  timeMsPerProblem: number | null;
}

export interface EvalHtmlInput {
  title: string;
  records: EvalRecord[];
  summary?: EvalSummaryRow[];
}

/**
 * Thinking longer than this is shown as plain text: it can run to 100k+ characters, and
 * typesetting all of it would make the file huge and slow to open for little gain.
 */
export const RENDERED_THINKING_CHARS = 20_000;

/**
 * Thinking longer than this keeps only its two ends in the report (half each): a proof attempt
 * thinks up to 229,376 tokens (~900,000 characters), and 180 of those in full made a report of
 * tens of MB that a browser opens slowly. The beginning holds the plan, the end how the thinking
 * came to the proof; all of it stays in the results file.
 */
export const SHOWN_THINKING_CHARS = 60_000;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:";

interface Problem {
  id: string;
  anchor: string;
  records: EvalRecord[];
}

export function evalHtmlReport(input: EvalHtmlInput): string {
  const md = createMarkdownRenderer();
  const problems = groupByProblem(latestRecords(input.records));
  const body = [
    headerHtml(input.title, input.records),
    input.summary?.length ? summaryHtml(input.summary) : '',
    problems.length ? indexHtml(problems) : '<p class="empty">No records.</p>',
    ...problems.map((problem) => problemHtml(problem, md)),
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>${inlineKatexCss()}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** Problems in the order they first appear; samples in order. */
function groupByProblem(records: EvalRecord[]): Problem[] {
  const byId = new Map<string, EvalRecord[]>();
  for (const record of records) {
    const samples = byId.get(record.problemId) ?? [];
    samples.push(record);
    byId.set(record.problemId, samples);
  }
  return [...byId].map(([id, samples], index) => ({
    id,
    // Ids come from a user's CSV: anything may be in them, so the fragment is made safe and unique.
    anchor: `p${index + 1}-${id.replace(/[^A-Za-z0-9_-]+/g, '-')}`,
    records: samples.sort((a, b) => a.sample - b.sample),
  }));
}

function headerHtml(title: string, records: EvalRecord[]): string {
  const setups = [...new Map(records.map((record) => [JSON.stringify(record.setup), record.setup])).values()];
  const finished = records.length ? formatTime(records.reduce((last, record) => Math.max(last, record.finishedAt), 0)) : undefined;
  const problems = new Set(records.map((record) => record.problemId)).size;
  return `<header>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${problems} problem${problems === 1 ? '' : 's'}, ${records.length} record${records.length === 1 ? '' : 's'}${finished ? `; last finished ${escapeHtml(finished)}` : ''}.</p>
${setups.length > 1 ? `<p class="warning">These records come from ${setups.length} different setups; their scores are not comparable.</p>` : ''}
${setups.map(setupHtml).join('\n')}
</header>`;
}

function setupHtml(setup: EvalSetup): string {
  const sampling = [`temperature ${setup.temperature}`, `top-p ${setup.topP}`];
  if (setup.topK !== undefined) sampling.push(`top-k ${setup.topK}`);
  if (setup.minP !== undefined) sampling.push(`min-p ${setup.minP}`);
  if (setup.maxTokens !== undefined) sampling.push(`max ${formatCount(setup.maxTokens)} tokens`);
  if (setup.tokenBudget !== undefined) sampling.push(`budget ${formatCount(setup.tokenBudget)} tokens per problem`);
  const rows: [string, string][] = [
    ['Mode', setup.mode === 'deep' ? 'Deep Prove' : 'Prove'],
    ['Solver', setup.solver],
    ['Judge', setup.judge === 'self' ? "self (QED-Nano's own verifier)" : setup.judge],
    ['Sampling', sampling.join(', ')],
  ];
  const list = `<dl class="setup">${rows.map(([name, value]) => `<dt>${name}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
  return setup.judge === 'self' ? list + SELF_JUDGE_WARNING : list;
}

const SELF_JUDGE_WARNING = `<p class="warning"><strong>Not comparable with published IMO-ProofBench numbers.</strong>
These proofs were graded by QED-Nano's own 0 / ½ / 1 verifier, scaled to 7 points, not by the benchmark's judge and its grading guidelines.</p>`;

function summaryHtml(rows: EvalSummaryRow[]): string {
  const head = '<tr><th class="name">Level</th><th>n</th><th>Score</th><th>95% interval</th><th>Unreadable</th><th>Tokens / problem</th><th>Time / problem</th></tr>';
  const body = rows.map((row, index) => {
    const overall = rows.length > 1 && index === rows.length - 1;
    const cells = [
      row.n,
      row.percent === null ? '—' : `${row.percent.toFixed(1)}%`,
      row.interval ? `${row.interval[0].toFixed(1)}–${row.interval[1].toFixed(1)}%` : '—',
      row.unreadable,
      row.tokensPerProblem === null ? '—' : formatCount(row.tokensPerProblem),
      row.timeMsPerProblem === null ? '—' : formatDuration(row.timeMsPerProblem),
    ];
    return `<tr${overall ? ' class="overall"' : ''}><td class="name">${escapeHtml(row.name)}</td>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  return `<h2>Summary</h2>\n<table class="grid summary">${head}\n${body.join('\n')}</table>`;
}

function indexHtml(problems: Problem[]): string {
  const samples = problems.reduce((most, problem) => Math.max(most, problem.records.length), 0);
  const sampleHeads = Array.from({ length: samples }, (_, i) => `<th class="points">${samples > 1 ? `#${i + 1}` : 'Points'}</th>`).join('');
  const rows = problems.map((problem) => {
    const first = problem.records[0]!;
    const cells = Array.from({ length: samples }, (_, i) => `<td class="points">${problem.records[i] ? gradeBadge(problem.records[i]!) : ''}</td>`).join('');
    return `<tr><td class="name"><a href="#${problem.anchor}">${escapeHtml(problem.id)}</a></td><td class="name">${escapeHtml(first.level)}</td>` +
      `<td class="name">${escapeHtml(first.category)}</td>${cells}<td>${meanPoints(problem.records)}</td></tr>`;
  });
  const head = `<tr><th class="name">Problem</th><th class="name">Level</th><th class="name">Category</th>${sampleHeads}<th>Mean</th></tr>`;
  return `<h2 id="problems">Problems</h2>\n<table class="grid index">${head}\n${rows.join('\n')}</table>`;
}

/** Mean over the samples with points: an unreadable grade or a failed judge is not a 0. */
function meanPoints(records: EvalRecord[]): string {
  const points = records.map((record) => record.points).filter((p): p is number => p !== null);
  return points.length ? `${formatPoints(points.reduce((a, b) => a + b, 0) / points.length)}/7` : '—';
}

function problemHtml(problem: Problem, md: MarkdownRenderer): string {
  const first = problem.records[0]!;
  return `<section class="problem" id="${problem.anchor}">
<h2>${escapeHtml(problem.id)} <a class="top" href="#problems">↑ Problems</a><span class="tags">${escapeHtml([first.level, first.category].filter(Boolean).join(' · '))}</span></h2>
<div class="statement">${renderMarkdown(md, first.statement)}</div>
${problem.records.map((record) => sampleHtml(record, md)).join('\n')}
</section>`;
}

function sampleHtml(record: EvalRecord, md: MarkdownRenderer): string {
  const { grade } = record;
  const note = grade.note ? `<p class="note">${escapeHtml(grade.note)}</p>` : '';
  const proof = record.answer.trim() ? renderMarkdown(md, record.answer) : '<p class="empty">No proof: nothing after the thinking.</p>';
  const parts = [
    grade.grading !== undefined ? details("Judge's grading", renderMarkdown(md, grade.grading) + thinkingHtml("Judge's thinking", grade.gradingReasoning, md)) : '',
    thinkingHtml('Thinking', record.response?.reasoning, md),
    details('Prompts', promptHtml('Solver', record.prompt) + (grade.prompt ? promptHtml('Judge', grade.prompt) : '')),
  ];
  return `<article class="sample ${gradeKind(record)}">
<h3>Sample ${record.sample} ${gradeBadge(record)}</h3>
<p class="meta">${escapeHtml(sampleFacts(record).join(' · '))}</p>
${note}
<div class="proof">${proof}</div>
${parts.join('\n')}
</article>`;
}

/** Tokens and times, and whatever cut the answer short. */
function sampleFacts(record: EvalRecord): string[] {
  const facts = [`${formatCount(record.tokens)} tokens`, formatDuration(record.timeMs)];
  const response = record.response;
  if (response?.status === 'length') facts.push('cut at the token limit');
  else if (response && response.status !== 'done') facts.push(`answer ${response.status}${response.error ? `: ${response.error}` : ''}`);
  if (response?.forcedAnswer === 'budget') facts.push('thinking budget ran out');
  if (record.deep) {
    const best = record.deep.best ? `best ${record.deep.best.id} (mean ${record.deep.best.mean.toFixed(2)})` : 'no best candidate';
    facts.push(`Deep Prove: ${record.deep.calls} calls, ${best}, ended ${record.deep.end}, journal ${record.deep.journal}`);
  }
  if (record.grade.status !== 'no-proof') facts.push(`judge ${formatCount(record.grade.tokens)} tokens, ${formatDuration(record.grade.timeMs)}`);
  return facts;
}

type GradeKind = 'full' | 'partial' | 'zero' | 'none';

function gradeKind(record: EvalRecord): GradeKind {
  if (record.points === null) return 'none';
  return record.points >= 7 ? 'full' : record.points <= 0 ? 'zero' : 'partial';
}

const STATUS_LABELS = { unreadable: 'unreadable', 'no-proof': 'no proof', error: 'judge failed' } as const;

function gradeBadge(record: EvalRecord): string {
  const status = record.grade.status;
  const label = status === 'graded' && record.points !== null ? `${formatPoints(record.points)}/7` : status === 'graded' ? 'no points' : STATUS_LABELS[status];
  const title = record.grade.note ? ` title="${escapeHtml(record.grade.note)}"` : '';
  return `<span class="badge ${gradeKind(record)}"${title}>${label}</span>`;
}

function thinkingHtml(label: string, text: string | undefined, md: MarkdownRenderer): string {
  if (!text?.trim()) return '';
  const size = `${formatCount(text.length)} characters`;
  if (text.length <= RENDERED_THINKING_CHARS) return details(`${label} (${size})`, renderMarkdown(md, text));
  if (text.length <= SHOWN_THINKING_CHARS) {
    const why = `${label} (${size}: longer than ${formatCount(RENDERED_THINKING_CHARS)}, so shown as plain text without math rendering)`;
    return details(why, `<pre class="plain">${escapeHtml(text)}</pre>`);
  }
  const half = SHOWN_THINKING_CHARS / 2;
  const omitted = text.length - 2 * half;
  const why = `${label} (${size}: its first and last ${formatCount(half)} as plain text; the whole of it is in the results file)`;
  const gap = `<p class="omitted">… ${formatCount(omitted)} characters left out here …</p>`;
  return details(why, `<pre class="plain">${escapeHtml(text.slice(0, half))}</pre>${gap}<pre class="plain">${escapeHtml(text.slice(-half))}</pre>`);
}

function promptHtml(who: string, messages: EvalRecord['prompt']): string {
  return messages.map((message) => `<div class="role">${who} · ${escapeHtml(message.role)}</div><pre class="plain">${escapeHtml(message.content)}</pre>`).join('');
}

/** Collapsed: the proof and its points are what a reader looks at first. */
function details(summary: string, body: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>${body}</details>`;
}

function renderMarkdown(md: MarkdownRenderer, markdown: string): string {
  return `<div class="markdown">${restoreKatexStyles(md.render(markdown))}</div>`;
}

/** A plain replace is safe: the renderer escapes `"` in text, so this only matches attributes. */
function restoreKatexStyles(html: string): string {
  return html.replaceAll(` ${DEFERRED_STYLE_ATTRIBUTE}="`, ' style="');
}

/** UTC, to the minute: when the run ended, wherever the report is read. */
function formatTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatPoints(points: number): string {
  return Number.isInteger(points) ? String(points) : points.toFixed(1).replace(/\.0$/, '');
}

function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en');
}

function formatDuration(ms: number): string {
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
