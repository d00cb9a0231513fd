import * as assert from 'node:assert/strict';
import {
  controlSequenceAt,
  maskComments,
  matchBraces,
  skipAnyWhitespace,
  skipTexSpaces,
  stripComments,
} from '../../src/core/latexLexer';
import { BraceIndex } from '../../src/core/theorems/latexArguments';

describe('LaTeX lexer', () => {
  it('masks comments to spaces of the same length, but not \\% or what follows \\\\', () => {
    const cases: Array<[text: string, masked: string]> = [
      ['a % one\r\nb \\% c \\\\% two\nd', 'a      \r\nb \\% c \\\\     \nd'],
      ['%\n%%', ' \n  '],
      ['no comment', 'no comment'],
    ];
    for (const [text, masked] of cases) assert.equal(maskComments(text), masked);
  });

  it('strips comments as TeX reads them: with their line break and the next line\'s leading blanks', () => {
    assert.equal(stripComments('a%\n   b'), 'ab');
    assert.equal(stripComments('a % c\r\n\t b\n c'), 'a b\n c');
    assert.equal(stripComments('x \\% y % z'), 'x \\% y ');
  });

  it('reads control words (with @) and control symbols', () => {
    assert.equal(controlSequenceAt('\\make@title x', 0), '\\make@title');
    assert.equal(controlSequenceAt('a\\,b', 1), '\\,');
    assert.equal(controlSequenceAt('\\', 0), null);
    assert.equal(controlSequenceAt('ab', 0), null);
  });

  it('matches braces both ways, ignoring escaped ones, unclosed ones and a stray closer', () => {
    const text = '} {a \\{ {b} \\}} {';
    const match = matchBraces(text);
    const at = (i: number) => match[i];
    assert.equal(at(0), -1, 'a } with nothing open');
    assert.equal(at(2), 14);
    assert.equal(at(14), 2);
    assert.equal(at(8), 10);
    assert.equal(at(10), 8);
    assert.equal(at(6), -1, '\\{ is no brace');
    assert.equal(at(13), -1, '\\} is no brace');
    assert.equal(at(16), -1, 'never closed');
    assert.equal(at(1), -1);
  });

  it('BraceIndex gives a closer for an opening brace only', () => {
    const braces = new BraceIndex('{a}b');
    assert.equal(braces.closeOf(0), 2);
    assert.equal(braces.closeOf(2), -1);
    assert.equal(braces.closeOf(1), -1);
    assert.equal(braces.closeOf(99), -1);
  });

  it('skips TeX spaces up to a limit and a number of line breaks, \\r\\n counting once', () => {
    assert.equal(skipTexSpaces(' \t\n x', 0), 4);
    assert.equal(skipTexSpaces(' \n\n{', 0, Infinity, 1), 2, 'stops at the line break that makes a blank line');
    assert.equal(skipTexSpaces(' \r\n {', 0, Infinity, 1), 4);
    assert.equal(skipTexSpaces('     x', 0, 3), 3);
    assert.equal(skipTexSpaces('\f x', 0), 0, 'a form feed is not a TeX space here');
    assert.equal(skipTexSpaces('\u00a0x', 0), 0);
  });

  it('skips any whitespace for the macro reader, blank lines, form feeds and Unicode spaces included', () => {
    assert.equal(skipAnyWhitespace(' \n\n\t\f\v\u00a0\u2003x', 0), 8);
    assert.equal(skipAnyWhitespace('x  ', 0), 0);
    assert.equal(skipAnyWhitespace('x  ', 1), 3);
  });
});
