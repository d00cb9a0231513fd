/**
 * The eval report's own style sheet (KaTeX's comes from evalHtmlAssets.ts): light or dark after
 * the reader's system, black on white when printed. The Markdown rules follow the Proof panel's
 * (webview-ui/src/panel.css) so that a proof reads the same in both.
 */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --border: #d1d9e0;
  --accent: #0969da; --code-bg: #eff2f5;
  --full: #1a7f37; --partial: #9a6700; --zero: #cf222e; --none: #6e7781;
  --warn-bg: #fff8c5; --warn-border: #d4a72c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #d1d7e0; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --border: #3d444d;
    --accent: #4493f8; --code-bg: #1f2630;
    --full: #3fb950; --partial: #d29922; --zero: #f85149; --none: #9198a1;
    --warn-bg: #272115; --warn-border: #9e6a03;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0 auto; padding: 24px 32px 64px; max-width: 980px;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif;
  color: var(--fg); background: var(--bg);
}
h1 { font-size: 1.7em; margin: 0 0 8px; }
h2 { font-size: 1.3em; margin: 0 0 6px; }
h2 .top { float: right; font-size: 0.7em; font-weight: normal; }
h3 { font-size: 1.05em; margin: 0 0 4px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.muted, .meta { color: var(--muted); }
.meta { font-size: 0.9em; margin: 2px 0 8px; }
.setup { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
.setup dt { color: var(--muted); }
.setup dd { margin: 0; overflow-wrap: anywhere; }
.warning { padding: 8px 12px; margin: 12px 0; border: 1px solid var(--warn-border); border-left-width: 4px; background: var(--warn-bg); border-radius: 4px; }
table.grid { border-collapse: collapse; margin: 8px 0 24px; font-variant-numeric: tabular-nums; }
table.grid th, table.grid td { padding: 4px 10px; border: 1px solid var(--border); text-align: right; }
table.grid th { background: var(--panel); }
table.grid td.name, table.grid th.name { text-align: left; }
table.grid tr.overall td { font-weight: 600; }
table.grid .points { text-align: center; }
.badge { display: inline-block; min-width: 2.6em; padding: 0 6px; border-radius: 10px; font-size: 0.85em; font-weight: 600; text-align: center; white-space: nowrap; color: var(--bg); }
.badge.full { background: var(--full); }
.badge.partial { background: var(--partial); }
.badge.zero { background: var(--zero); }
.badge.none { background: var(--none); }
section.problem { border-top: 2px solid var(--border); padding-top: 16px; margin-top: 32px; }
.tags { color: var(--muted); font-size: 0.8em; font-weight: normal; }
.statement { padding: 4px 14px; background: var(--panel); border-radius: 6px; border: 1px solid var(--border); }
article.sample { margin: 20px 0 0 0; padding-left: 14px; border-left: 3px solid var(--border); }
article.sample.full { border-left-color: var(--full); }
article.sample.partial { border-left-color: var(--partial); }
article.sample.zero { border-left-color: var(--zero); }
.note { padding: 4px 10px; border-left: 3px solid var(--none); background: var(--panel); }
details { margin: 8px 0; border: 1px solid var(--border); border-radius: 6px; padding: 0 12px; }
details[open] { padding-bottom: 8px; }
summary { cursor: pointer; padding: 6px 0; color: var(--muted); font-weight: 600; }
details details { margin-left: 0; }
pre.plain { white-space: pre-wrap; overflow-wrap: anywhere; font: 0.85em/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; background: var(--code-bg); padding: 8px 12px; border-radius: 4px; margin: 6px 0; }
.role { font-size: 0.8em; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; margin-top: 8px; }
.empty { color: var(--muted); font-style: italic; }
.omitted { color: var(--muted); font-style: italic; margin: 4px 0; }

.markdown { overflow-wrap: break-word; }
.markdown a { color: var(--accent); }
.markdown blockquote { margin: 0.5em 0; padding: 2px 12px; border-left: 3px solid var(--border); background: var(--panel); }
.markdown code { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 0.92em; padding: 1px 4px; border-radius: 3px; background: var(--code-bg); }
.markdown pre { padding: 8px 12px; overflow-x: auto; border-radius: 3px; background: var(--code-bg); }
.markdown pre code { padding: 0; background: none; }
.markdown hr { border: 0; border-top: 1px solid var(--border); margin: 1.5em 0; }
.markdown table { border-collapse: collapse; }
.markdown th, .markdown td { padding: 4px 10px; border: 1px solid var(--border); }
.markdown .katex { font-size: 1.1em; }
/* Long formulas scroll sideways instead of widening the page. */
.markdown .math-display, .markdown .katex-display { overflow-x: auto; overflow-y: hidden; }
.markdown .katex-display { margin: 0.8em 0; padding: 2px 0; }
/* A formula KaTeX could not render, shown as its source; the tooltip says why. */
.markdown .math-source { text-decoration: underline dotted var(--muted); text-underline-offset: 3px; }
.markdown .math-source-display { display: block; width: fit-content; margin: 0.6em auto; }

@media print {
  :root { --fg: #000; --muted: #444; --bg: #fff; --panel: #fff; --border: #999; --code-bg: #f3f3f3; --warn-bg: #fff; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  /* Badges keep their colours; the reader needs them more than the ink. */
  .badge { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  section.problem { break-before: page; border-top: 0; }
  h2, h3, summary { break-after: avoid; }
  .markdown .math-display, .markdown .katex-display { overflow: visible; }
  a { color: inherit; }
  h2 .top { display: none; }
}
`;
