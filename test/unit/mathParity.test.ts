/**
 * The core's Markdown → LaTeX conversion (markdownMath.ts) must see math where the Proof panel
 * showed it: the renderer (render/markdown.ts) and the streaming block splitter (render/blocks.ts)
 * share its list of math environments, and this test checks that all three agree on each one.
 */
import * as assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { markdownMath } from '../../src/core/markdownMath';
import { MATH_ENVIRONMENTS } from '../../src/core/mathEnvironments';
import { BlockSplitter, findUnclosedMath } from '../../webview-ui/src/render/blocks';
import { createMarkdownRenderer } from '../../webview-ui/src/render/markdown';

const core = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false }).use(markdownMath);
const renderer = createMarkdownRenderer();

/** Token types anywhere in the core's parse, inline children included. */
function coreTokenTypes(markdown: string): string[] {
  return core.parse(markdown, {}).flatMap((token) => [token.type, ...(token.children ?? []).map((child) => child.type)]);
}
const coreSeesMath = (markdown: string) => coreTokenTypes(markdown).some((type) => type.startsWith('math_'));
/** KaTeX output, or the source shown as math that KaTeX could not render. */
const rendererSeesMath = (markdown: string) => /class="(katex|math-source)/.test(renderer.render(markdown));

function blockCount(markdown: string): number {
  const splitter = new BlockSplitter();
  return [...splitter.push(markdown), ...splitter.end()].length;
}

const NOT_MATH = ['proof', 'theorem', 'lemma', 'itemize', 'enumerate', 'center', 'tikzcd', 'tabular', 'foo', 'Align', 'alignment', 'equations', 'align**'];
const NAMES = [...MATH_ENVIRONMENTS, ...NOT_MATH];

describe('math detection parity: core conversion, panel renderer, block splitter', () => {
  it('the list holds each environment with its starred form', () => {
    for (const name of MATH_ENVIRONMENTS) assert.ok(MATH_ENVIRONMENTS.has(name.endsWith('*') ? name.slice(0, -1) : `${name}*`), name);
    for (const name of NOT_MATH) assert.ok(!MATH_ENVIRONMENTS.has(name), name);
  });

  for (const name of NAMES) {
    const math = MATH_ENVIRONMENTS.has(name);
    it(`${name}: ${math ? 'math' : 'not math'} for all three`, () => {
      // On lines of its own, with a blank line inside (which only math keeps in one block).
      const block = `\\begin{${name}}\na\n\nb\n\\end{${name}}`;
      assert.equal(coreSeesMath(block), math, 'core, block');
      assert.equal(rendererSeesMath(block), math, 'renderer, block');
      assert.equal(blockCount(`${block}\n\nafter`), math ? 2 : 3, 'block splitter');
      // Inside a paragraph.
      const inline = `Text \\begin{${name}}a\\end{${name}} more.`;
      assert.equal(coreSeesMath(inline), math, 'core, inline');
      assert.equal(rendererSeesMath(inline), math, 'renderer, inline');
      // Still being streamed.
      assert.equal(findUnclosedMath(`Text\n\\begin{${name}}\na`)?.environment, math ? name : undefined, 'unclosed');
    });
  }

  it('agree on the other delimiters and on text that only looks like math', () => {
    const cases: Array<[string, boolean]> = [
      ['$a$ and more', true],
      ['$$\na\n$$', true],
      ['\\(a\\)', true],
      ['\\[\na\n\\]', true],
      ['costs \\$5 and \\$6', false],
      ['\\begin {align}a\\end{align}', true],
      ['\\begin{align}a', false],
      ['`\\begin{align}a\\end{align}`', false],
      ['```\n\\begin{align}\na\n\\end{align}\n```', false],
    ];
    for (const [markdown, math] of cases) {
      assert.equal(coreSeesMath(markdown), math, `core: ${markdown}`);
      assert.equal(rendererSeesMath(markdown), math, `renderer: ${markdown}`);
    }
  });
});
