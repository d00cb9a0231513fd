import assert from 'node:assert/strict';
import { chatToHost } from '../../src/core/webview/chatProtocol';
import type { Turn } from '../../src/core/conversation/types';
import { critiqueMessages } from '../../src/core/critique/critiquePrompt';
import { proveMessages } from '../../src/core/prompts';
import { quoteSelection, quoteText } from '../../src/core/composer/selectionQuote';
import { EXPLAIN_LAST_REQUEST, expandMessage, explainRequest, LATEX_REQUEST, titleOf } from '../../src/core/composer/slashCommands';

function turn(user: string, content: string): Turn {
  return { id: user, user, assistant: { reasoning: 'r', content, status: 'done', startedAt: 0, reasoningTokens: 1, contentTokens: 1 } };
}

describe('chat slash commands', () => {
  it('leaves plain text as typed, titled by its first line', () => {
    assert.deepEqual(expandMessage('  Why is $x^2 \\ge 0$?\nThanks  ', []), { ok: true, user: 'Why is $x^2 \\ge 0$?\nThanks', title: 'Why is $x^2 \\ge 0$?' });
  });

  it('/prove uses the model’s training prompt word for word', () => {
    const expanded = expandMessage('/prove $\\sqrt 2$ is irrational.', []);
    assert.deepEqual(expanded, { ok: true, user: proveMessages('$\\sqrt 2$ is irrational.')[0]!.content, title: '$\\sqrt 2$ is irrational.' });
    assert.deepEqual(expandMessage('/prove', []), { ok: false, problem: 'Write the statement after /prove, e.g. “/prove $\\sqrt 2$ is irrational”.' });
  });

  it('/critique grades the last answer against the last /prove statement, or a given proof', () => {
    const earlier = [turn(proveMessages('$n^2 \\ge n$ for integers $n$.')[0]!.content, 'Since $n^2 - n = n(n-1) \\ge 0$.')];
    assert.deepEqual(expandMessage('/critique', earlier), { ok: true, user: critiqueMessages('$n^2 \\ge n$ for integers $n$.', 'Since $n^2 - n = n(n-1) \\ge 0$.')[0]!.content, title: 'Critique: $n^2 \\ge n$ for integers $n$.' });
    const given = expandMessage('/critique Trivial.', earlier);
    assert.equal(given.ok && 'user' in given && given.user, critiqueMessages('$n^2 \\ge n$ for integers $n$.', 'Trivial.')[0]!.content);
    // Without a /prove, the question the last answer answered is the statement.
    const plain = expandMessage('/critique', [turn('Show $1 < 2$.', 'Obvious.')]);
    assert.equal(plain.ok && 'user' in plain && plain.user, critiqueMessages('Show $1 < 2$.', 'Obvious.')[0]!.content);
    assert.equal(expandMessage('/critique', []).ok, false);
  });

  it('/deep asks for a Deep Prove run on the statement, or (none given) on the editor’s selection or theorem', () => {
    assert.deepEqual(expandMessage('/deep  $\\sqrt 2$ is irrational. ', []), { ok: true, deepProve: { statement: '$\\sqrt 2$ is irrational.' } });
    assert.deepEqual(expandMessage('/deep', [turn('q', 'a')]), { ok: true, deepProve: { statement: undefined } });
  });

  it('/explain and /latex build on the conversation', () => {
    assert.deepEqual(expandMessage('/explain step 2', []), { ok: true, user: explainRequest('step 2'), title: 'Explain: step 2' });
    assert.deepEqual(expandMessage('/explain', [turn('q', 'a')]), { ok: true, user: EXPLAIN_LAST_REQUEST, title: 'Explain' });
    assert.deepEqual(expandMessage('/latex', [turn('q', 'a')]), { ok: true, user: LATEX_REQUEST, title: 'LaTeX' });
    assert.deepEqual(expandMessage('/latex', []), { ok: false, problem: '/latex rewrites the last answer as LaTeX; there is no answer yet.' });
    assert.deepEqual(expandMessage('/frobnicate x', []), { ok: false, problem: 'Unknown command /frobnicate. The commands are /prove, /deep, /critique, /explain and /latex.' });
    // A path is not a command.
    assert.equal(expandMessage('/usr/bin is a folder', []).ok, true);
  });

  it('titles are cut at a word', () => {
    assert.equal(titleOf('Let $G$ be a finite group of order $p^2$ where $p$ is a prime; show that $G$ is abelian.'), 'Let $G$ be a finite group of order $p^2$ where $p$ is a…');
    assert.equal(titleOf('> From `a.tex`, line 3:\n> x'), 'From `a.tex`, line 3:');
  });
});

describe('selection quotes', () => {
  it('quote the text with its file and lines, blank lines kept inside the quote', () => {
    assert.equal(
      quoteSelection({ text: '\\begin{theorem}\n$x$\n\nmore\n', file: 'samples/a.tex', startLine: 3, endLine: 6 }),
      '> From `samples/a.tex`, lines 3–6:\n>\n> \\begin{theorem}\n> $x$\n>\n> more',
    );
    assert.equal(quoteSelection({ text: 'x', file: 'a.md', startLine: 7, endLine: 7 }), '> From `a.md`, line 7:\n>\n> x');
    assert.equal(quoteText('a\nb\n'), '> a\n> b');
  });
});

describe('isChatToHost', () => {
  it('accepts the protocol’s messages and nothing else', () => {
    for (const good of [{ type: 'ready' }, { type: 'send', text: 'hi' }, { type: 'answerAction', action: 'continue', turnId: 't' }, { type: 'setThinkingBudget', budget: null }, { type: 'setThinkingBudget', budget: 4000 }, { type: 'dropText', text: '' }]) {
      assert.equal(chatToHost.is(good), true, JSON.stringify(good));
    }
    for (const bad of [null, 'ready', { type: 'send' }, { type: 'send', text: 5 }, { type: 'answerAction', action: 'delete', turnId: 't' }, { type: 'setThinkingBudget', budget: -1 }, { type: 'setThinkingBudget', budget: 1.5 }, { type: 'eval' }, { type: 'send', text: 'x'.repeat(1_000_001) }]) {
      assert.equal(chatToHost.is(bad), false, JSON.stringify(bad)?.slice(0, 80));
    }
  });
});
