import * as assert from 'node:assert/strict';
import { ReasoningSplitter } from '../../src/core/reasoning';
import { assertSteadyCost } from '../helpers/scaling';

interface Split {
  reasoning: string;
  content: string;
}

function run(chunks: string[], options?: { startInReasoning?: boolean }): Split {
  const splitter = new ReasoningSplitter(options);
  const out: Split = { reasoning: '', content: '' };
  for (const part of [...chunks.map((c) => splitter.push(c)), splitter.end()]) {
    out.reasoning += part.reasoning;
    out.content += part.content;
  }
  return out;
}

/** Every way to cut `text` into two and three pieces, plus one character at a time. */
function* splits(text: string): Generator<string[]> {
  yield [text];
  yield [...text];
  for (let i = 0; i <= text.length; i++) {
    yield [text.slice(0, i), text.slice(i)];
    for (let j = i; j <= text.length; j++) yield [text.slice(0, i), text.slice(i, j), text.slice(j)];
  }
}

function assertAllSplits(text: string, expected: Split, options?: { startInReasoning?: boolean }): void {
  let cases = 0;
  for (const chunks of splits(text)) {
    assert.deepEqual(run(chunks, options), expected, `chunks: ${JSON.stringify(chunks)}`);
    cases++;
  }
  assert.ok(cases > text.length);
}

describe('ReasoningSplitter', () => {
  // Near-miss tags in the reasoning, and a second `</think>` that belongs to the answer.
  const sample = 'Let me see: a < b, and </th is no tag.\nSo </thin ok.\n</think>\n\nProof. Since a<b, done. A stray </think> stays.\n';
  const sampleReasoning = 'Let me see: a < b, and </th is no tag.\nSo </thin ok.\n';
  const sampleAnswer = 'Proof. Since a<b, done. A stray </think> stays.\n';

  it('splits a sample the same way at every chunk boundary', () => {
    assertAllSplits(sample, { reasoning: sampleReasoning, content: sampleAnswer });
  });

  it('holds back nothing but a possible prefix of </think>', () => {
    const splitter = new ReasoningSplitter();
    const close = sample.indexOf('</think>');
    let emitted = '';
    for (let i = 0; i < close; i++) {
      const part = splitter.push(sample[i]!);
      assert.equal(part.content, '');
      emitted += part.reasoning;
      const held = sample.slice(emitted.length, i + 1);
      assert.ok(sample.startsWith(emitted), `emitted text must be a prefix (at ${i})`);
      assert.ok(held === '' || (held.length < 8 && '</think>'.startsWith(held)), `held ${JSON.stringify(held)} at ${i}`);
    }
    assert.equal(emitted, sampleReasoning);
  });

  it('emits text as soon as it cannot start a tag', () => {
    const splitter = new ReasoningSplitter();
    assert.deepEqual(splitter.push('a <b'), { reasoning: 'a <b', content: '' });
    assert.deepEqual(splitter.push('c</thi'), { reasoning: 'c', content: '' });
    assert.equal(splitter.inReasoning, true);
    assert.deepEqual(splitter.push('nk>\n\nAns'), { reasoning: '', content: 'Ans' });
    assert.equal(splitter.inReasoning, false);
    assert.deepEqual(splitter.push('wer</'), { reasoning: '', content: 'wer</' });
    assert.deepEqual(splitter.end(), { reasoning: '', content: '' });
  });

  it('strips a leading literal <think> and the newlines after it', () => {
    const expected = { reasoning: 'Reason.\n', content: 'Answer' };
    assertAllSplits('<think>\nReason.\n</think>\n\nAnswer', expected);
    assertAllSplits(' \n<think>\n\nReason.\n</think>\n\nAnswer', expected);
    // A template that does not open <think> still reads an output that opens it itself.
    assertAllSplits('<think>\nReason.\n</think>\n\nAnswer', expected, { startInReasoning: false });
  });

  it('keeps a <think> that is not at the start, and a near-miss opening tag', () => {
    assert.deepEqual(run(['a <think> b</think>c']), { reasoning: 'a <think> b', content: 'c' });
    assert.deepEqual(run(['<thin', 'k2>x']), { reasoning: '<think2>x', content: '' });
    assert.deepEqual(run(['<thin', 'k2>x'], { startInReasoning: false }), { reasoning: '', content: '<think2>x' });
    assert.deepEqual(run(['<'], { startInReasoning: false }), { reasoning: '', content: '<' });
  });

  it('treats output without </think> as reasoning only (e.g. cut off by max_tokens)', () => {
    assertAllSplits('Still thinking about a < b', { reasoning: 'Still thinking about a < b', content: '' });
  });

  it('treats everything as answer when the template did not open <think>', () => {
    assertAllSplits('Just an answer </think> here', { reasoning: '', content: 'Just an answer </think> here' }, { startInReasoning: false });
  });

  it('splits only at the first of two </think>', () => {
    assertAllSplits('a</think>b</think>c', { reasoning: 'a', content: 'b</think>c' });
  });

  it('returns a partial </ at the very end of the stream as reasoning', () => {
    const splitter = new ReasoningSplitter();
    assert.deepEqual(splitter.push('abc</'), { reasoning: 'abc', content: '' });
    assert.deepEqual(splitter.end(), { reasoning: '</', content: '' });
    assert.deepEqual(run(['abc</think'], {}), { reasoning: 'abc</think', content: '' });
  });

  it('strips only newlines after </think>, across chunks, and leaves an empty answer empty', () => {
    assertAllSplits('\n\nReason</think>\n\n\nAnswer\n\nMore', { reasoning: 'Reason', content: 'Answer\n\nMore' });
    assertAllSplits('R</think> \nA', { reasoning: 'R', content: ' \nA' });
    assertAllSplits('R</think>\n\n', { reasoning: 'R', content: '' });
    assertAllSplits('</think>Answer', { reasoning: '', content: 'Answer' });
  });

  it('passes unicode through unchanged, even when a chunk cuts a surrogate pair', () => {
    const text = 'Σ∀x ∈ ℝ: 😀 </think>\n∎ QED 😀 — ok';
    assertAllSplits(text, { reasoning: 'Σ∀x ∈ ℝ: 😀 ', content: '∎ QED 😀 — ok' });
  });

  it('does work proportional to the chunk, not to the text so far', () => {
    const splitter = new ReasoningSplitter();
    let reasoning = 0;
    for (let i = 0; i < 200_000; i++) reasoning += splitter.push('word <').reasoning.length + splitter.push('/x ').reasoning.length;
    reasoning += splitter.end().reasoning.length;
    assert.equal(reasoning, 200_000 * 'word </x '.length);
    // Rescanning the accumulated text would make 20,000 chunks after 1.8 MB of text far slower than the first 20,000.
    assertSteadyCost('ReasoningSplitter', () => {
      const steady = new ReasoningSplitter();
      return (count) => {
        for (let i = 0; i < count; i++) { steady.push('word <'); steady.push('/x '); }
      };
    }, { batch: 20_000, before: 200_000 });
  });
});
