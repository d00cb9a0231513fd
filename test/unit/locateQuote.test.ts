import * as assert from 'node:assert/strict';
import { locateQuote } from '../../src/core/critique/locateQuote';
import { assertScalesLinearly } from '../helpers/scaling';

const PROOF = [
  '**Step 1.** Suppose, for contradiction, that $\\sqrt{2} = \\frac{p}{q}$ with $p, q$ coprime.',
  'Squaring gives $p^2 = 2 q^2$, hence $p$ is even.',
  '',
  'We Have \\[ \\left( \\frac{p}{2} \\right)^{2} \\cdot 2 = q^2, \\] so $q$ is even as well,',
  'contradicting \\emph{coprimality}. Also $A \\ne a$ and $x\\,y = \\displaystyle\\sum_i x_i$.',
].join('\n');

/** The located text, so a test reads as "this quote points at that part of the proof". */
function located(quote: string, proof = PROOF): string | null {
  const span = locateQuote(proof, quote);
  return span && proof.slice(span.start, span.end);
}

describe('locateQuote', () => {
  it('finds an exact quote at its offsets', () => {
    assert.deepEqual(locateQuote(PROOF, 'hence $p$ is even'), { start: PROOF.indexOf('hence $p$ is even'), end: PROOF.indexOf('hence $p$ is even') + 17 });
  });

  it('ignores differences in whitespace', () => {
    assert.equal(located('Squaring gives $p^2=2q^2$,\nhence'), 'Squaring gives $p^2 = 2 q^2$, hence');
  });

  it('ignores math delimiters, braces, \\left/\\right, spacing commands and emphasis', () => {
    assert.equal(located('(p/2)^2'), null); // \frac is mathematics, not markup
    // The span runs from the first to the last character that matched, so a leading \left is outside.
    assert.equal(located('\\(\\left(\\frac p2\\right)^2 \\cdot 2 = q^2\\)'), '( \\frac{p}{2} \\right)^{2} \\cdot 2 = q^2');
    assert.equal(located('sqrt2 = frac pq'), null);
    assert.equal(located('\\sqrt2 = \\frac pq'), '\\sqrt{2} = \\frac{p}{q}');
    assert.equal(located('contradicting coprimality'), 'contradicting \\emph{coprimality}');
    assert.equal(located('xy = \\sum_i x_i'), 'x\\,y = \\displaystyle\\sum_i x_i');
    assert.equal(located('Step 1. Suppose'), 'Step 1.** Suppose');
  });

  it('ignores the case of words but not of variables', () => {
    assert.equal(located('we have'), 'We Have');
    assert.equal(located('$a \\ne a$'), null);
    assert.equal(located('$A \\ne a$'), '$A \\ne a$');
  });

  it('does not drop \\right from \\rightarrow', () => {
    const proof = 'so $f \\rightarrow g$ holds';
    assert.equal(located('f \\arrow g', proof), null);
    assert.equal(located('$f\\rightarrow g$', proof), '$f \\rightarrow g$');
  });

  it('tolerates trailing punctuation the proof does not have', () => {
    assert.equal(located('so $q$ is even as well.'), 'so $q$ is even as well');
  });

  it('matches the first and last parts of an elided quote', () => {
    assert.equal(
      located('Squaring gives ... so $q$ is even'),
      PROOF.slice(PROOF.indexOf('Squaring gives'), PROOF.indexOf('so $q$ is even') + 'so $q$ is even'.length),
    );
    assert.equal(located('hence $p$ is even…contradicting coprimality'), 'hence $p$ is even.\n\nWe Have \\[ \\left( \\frac{p}{2} \\right)^{2} \\cdot 2 = q^2, \\] so $q$ is even as well,\ncontradicting \\emph{coprimality}');
    // The nearest first part before the last part is used.
    assert.equal(located('is even [...] as well'), 'is even as well');
    // Parts in the wrong order are not a match.
    assert.equal(located('contradicting ... Squaring gives'), null);
  });

  it('prefers a literal "..." in the proof over an elision', () => {
    const proof = 'Then $1 + 2 + ... + n = n(n+1)/2$ by induction.';
    assert.equal(located('$1 + 2 + ... + n$', proof), '1 + 2 + ... + n');
  });

  it('returns null for what is not there, and for empty input', () => {
    assert.equal(locateQuote(PROOF, 'the sum telescopes'), null);
    assert.equal(locateQuote(PROOF, '   '), null);
    assert.equal(locateQuote('', 'x'), null);
    assert.equal(locateQuote(PROOF, '$$'), null);
  });

  it('finds an elided quote in time linear in the proof, however its parts repeat', () => {
    // The first part's last occurrence before the last part was a backwards search that compared
    // the part anew at every position: 50 KB parts 200 KB apart took 10 s.
    const first = `${'a'.repeat(49_999)}b`;
    const proof = `${first}${'a'.repeat(200_000)}The end.`;
    const span = locateQuote(proof, `${first} ... The end.`);
    assert.deepEqual(span, { start: 0, end: proof.length });
    assertScalesLinearly('an elided quote of repeating parts', (kilobytes) => {
      const part = `${'a'.repeat(kilobytes * 1000 - 1)}b`;
      const text = `${part}${'a'.repeat(kilobytes * 4000)}The end.`;
      return () => locateQuote(text, `${part} ... The end.`);
    }, { size: 3.125 });
  });

  it('maps back correctly in a long proof', () => {
    const filler = 'Lorem ipsum $x_{i} + y_{i}$ dolor sit amet.\n'.repeat(1200); // about 50 KB
    const proof = `${filler}Finally, $\\left| \\sum_{k=1}^{n} a_k \\right| \\le C$ as claimed.\n${filler}`;
    const span = locateQuote(proof, 'finally, $|\\sum_{k=1}^n a_k| \\le C$');
    assert.deepEqual(span, { start: filler.length, end: filler.length + 'Finally, $\\left| \\sum_{k=1}^{n} a_k \\right| \\le C'.length });
  });
});
