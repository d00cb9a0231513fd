import * as assert from 'node:assert/strict';
import { BlockSplitter, findUnclosedMath, MAX_BLOCK_CHARS, MAX_OPEN_MATH_CHARS } from '../../webview-ui/src/render/blocks';
import { assertSteadyCost } from '../helpers/scaling';

function splitAll(chunks: string[]): string[] {
  const splitter = new BlockSplitter();
  const blocks: string[] = [];
  for (const chunk of chunks) blocks.push(...splitter.push(chunk));
  blocks.push(...splitter.end());
  return blocks;
}

const blocksOf = (text: string) => splitAll([text]);

/** A small deterministic PRNG, so a failing chunking can be reproduced. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function randomChunks(text: string, seed: number): string[] {
  const next = random(seed);
  const chunks: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = 1 + Math.floor(next() * 12);
    chunks.push(text.slice(i, i + size));
    i += size;
  }
  return chunks;
}

const PROOF = [
  'We prove that $\\sqrt 2$ is irrational.',
  '',
  'Suppose \\(\\sqrt 2 = p/q\\) in lowest terms. Then',
  '$$',
  'p^2 = 2q^2.',
  '',
  '$$',
  '',
  '\\[',
  '  p = 2k',
  '',
  '\\]',
  'so that',
  '\\begin{align*}',
  '4k^2 &= 2q^2 \\\\[2pt]',
  '',
  'q^2 &= 2k^2.',
  '\\end{align*}',
  '',
  '```python',
  'x = 1',
  '',
  'y = "$$"',
  '```',
  '',
  '1. First item',
  '',
  '   continued item.',
  '2. Second $x$.',
  '',
  '',
  'Hence $q$ is even, a contradiction. $\\blacksquare$',
].join('\n');

describe('BlockSplitter', () => {
  it('splits paragraphs at blank lines', () => {
    assert.deepEqual(blocksOf('a\nb\n\nc\n\n\n\nd\n'), ['a\nb', 'c', 'd']);
  });

  it('keeps blank lines inside $$…$$, \\[…\\], math environments and code fences', () => {
    assert.deepEqual(blocksOf(PROOF), [
      'We prove that $\\sqrt 2$ is irrational.',
      'Suppose \\(\\sqrt 2 = p/q\\) in lowest terms. Then\n$$\np^2 = 2q^2.\n\n$$',
      '\\[\n  p = 2k\n\n\\]\nso that\n\\begin{align*}\n4k^2 &= 2q^2 \\\\[2pt]\n\nq^2 &= 2k^2.\n\\end{align*}',
      '```python\nx = 1\n\ny = "$$"\n```',
      '1. First item\n\n   continued item.\n2. Second $x$.',
      'Hence $q$ is even, a contradiction. $\\blacksquare$',
    ]);
  });

  it('does not take `\\\\[2pt]` for the start of display math', () => {
    assert.deepEqual(blocksOf('a \\\\[2pt] b\n\nc'), ['a \\\\[2pt] b', 'c']);
  });

  it('ignores environments that are not math, and ~~~ fences', () => {
    assert.deepEqual(blocksOf('\\begin{proof}\nx\n\ny\n\\end{proof}'), ['\\begin{proof}\nx', 'y\n\\end{proof}']);
    assert.deepEqual(blocksOf('~~~\na\n\n```\nb\n~~~\n\nc'), ['~~~\na\n\n```\nb\n~~~', 'c']);
  });

  it('tracks nested environments of the same name', () => {
    assert.deepEqual(blocksOf('\\begin{array}{c}\n\\begin{array}{c}\n1\n\\end{array}\n\n\\end{array}\n\nz'), [
      '\\begin{array}{c}\n\\begin{array}{c}\n1\n\\end{array}\n\n\\end{array}',
      'z',
    ]);
  });

  it('reads CRLF and CR like LF, also when CR and LF arrive in different chunks', () => {
    const lf = blocksOf(PROOF);
    assert.deepEqual(blocksOf(PROOF.replace(/\n/g, '\r\n')), lf);
    assert.deepEqual(splitAll(PROOF.replace(/\n/g, '\r\n').split(/(?<=\r)/)), lf);
    assert.deepEqual(blocksOf(PROOF.replace(/\n/g, '\r')), lf);
  });

  it('gives the same blocks whatever the chunking (every split point, char by char, random)', () => {
    const documents = [PROOF, PROOF.replace(/\n/g, '\r\n'), 'a\n\n\n', '\n\nx\n\n  \n\ty\n\nz', '$$a$$\n\n$$\nb\n\nc'];
    for (const text of documents) {
      const expected = blocksOf(text);
      for (let cut = 0; cut <= text.length; cut++) {
        assert.deepEqual(splitAll([text.slice(0, cut), text.slice(cut)]), expected, `cut at ${cut} of ${JSON.stringify(text)}`);
      }
      assert.deepEqual(splitAll([...text]), expected, 'char by char');
      for (let seed = 1; seed <= 20; seed++) assert.deepEqual(splitAll(randomChunks(text, seed)), expected, `seed ${seed}`);
    }
  });

  it('reports finished blocks as soon as the next block starts', () => {
    const splitter = new BlockSplitter();
    assert.deepEqual(splitter.push('one\n\n'), []);
    assert.equal(splitter.tail, 'one\n\n');
    assert.deepEqual(splitter.push('t'), ['one']);
    assert.equal(splitter.tail, 't');
    assert.deepEqual(splitter.push('wo\n\n   indented'), []);
    assert.equal(splitter.tail, 'two\n\n   indented');
  });

  it('loses no text', () => {
    const squash = (text: string) => text.replace(/\s+/g, '');
    assert.equal(squash(blocksOf(PROOF).join('')), squash(PROOF));
  });

  it('cuts a huge paragraph at a line outside math, never inside a formula', () => {
    const line = 'word '.repeat(20);
    const formula = '$$\n' + 'x\n\n'.repeat(MAX_BLOCK_CHARS / 4) + '$$';
    const text = `${line}\n`.repeat(MAX_BLOCK_CHARS / 50) + formula + '\nafter';
    const blocks = blocksOf(text);
    assert.ok(blocks.length >= 2);
    assert.ok(blocks.some((block) => block.includes(formula)), 'the formula stays whole');
    assert.deepEqual(splitAll([...text]), blocks);
  });

  it('gives up on display math that never closes', () => {
    const paragraphs = 'Some text with a stray $$ here.\n\n' + 'More text.\n\n'.repeat(MAX_OPEN_MATH_CHARS / 10);
    const blocks = blocksOf(paragraphs);
    assert.ok(blocks.length > 10 && blocks.every((block) => block.length < MAX_OPEN_MATH_CHARS + 100));
    assert.deepEqual(splitAll([...paragraphs]), blocks);
    assert.equal(findUnclosedMath(paragraphs), undefined);
  });

  it('is linear: 400,000 characters one at a time', () => {
    const text = PROOF.repeat(1 + Math.floor(400_000 / PROOF.length)).slice(0, 400_000);
    const splitter = new BlockSplitter();
    let count = 0;
    for (const char of text) count += splitter.push(char).length;
    count += splitter.end().length;
    assert.ok(count > 1000);
    // The last 50,000 characters cost about what the first 50,000 did: nothing rescans the text so far.
    assertSteadyCost('BlockSplitter, one character at a time', () => {
      const steady = new BlockSplitter();
      let at = 0;
      return (count) => {
        for (const end = at + count; at < end; at++) steady.push(text[at]!);
      };
    }, { batch: 50_000, before: 350_000 });
  });
});

describe('findUnclosedMath', () => {
  it('finds math still being written', () => {
    assert.deepEqual(findUnclosedMath('so $x^2 + '), { start: 3, display: false, environment: undefined });
    assert.deepEqual(findUnclosedMath('so \\(x'), { start: 3, display: false, environment: undefined });
    assert.deepEqual(findUnclosedMath('a\n$$\nx ='), { start: 2, display: true, environment: undefined });
    assert.deepEqual(findUnclosedMath('a\n\\[ x'), { start: 2, display: true, environment: undefined });
    assert.deepEqual(findUnclosedMath('a $b$ \\begin{align*}\nx &= 1 \\\\\n'), { start: 6, display: true, environment: 'align*' });
  });

  it('ignores closed math, escapes, code and unfinished fences', () => {
    assert.equal(findUnclosedMath('$x$ and $$y$$ and \\(z\\) and \\[w\\]'), undefined);
    assert.equal(findUnclosedMath('costs \\$5'), undefined);
    assert.equal(findUnclosedMath('a `$x` b'), undefined);
    assert.equal(findUnclosedMath('```\n$x\n```\nok'), undefined);
    assert.equal(findUnclosedMath('```\n$x'), undefined);
    assert.equal(findUnclosedMath('\\begin{align*}\na\n\\end{align*}'), undefined);
    assert.equal(findUnclosedMath('x \\\\(y'), undefined);
  });
});
