/** Model answers that carry TeX with side effects into a document, for the tests of Insert proof. */

const lines = (...text: string[]): string => text.join('\n');

/** An answer that hides TeX with side effects in display math, inline math and a ```latex block. */
export const HOSTILE_ANSWER = lines(
  'Let $x = 1$ and $$\\immediate\\write18{touch /tmp/qed-pwned} x^2 = 1$$ so',
  '\\[ a \\input{/etc/hostname} = b \\]',
  'and $y^^5cinput{/etc/hostname}$ and $\\catcode`\\$=12 z$.',
  '',
  '```latex',
  '\\def\\input#1{}',
  '\\openin5=/etc/hostname \\read5 to \\x',
  '\\begin{filecontents}{qed-pwned.tex}',
  'hello',
  '\\end{filecontents}',
  '\\end{document}',
  '```',
  '',
  'The end, with `\\input{x}` and \\input{y} in text.',
);

/** About a megabyte each of what makes a careless TeX scanner slow: the riskyTex scaling test and bench/textScaling.ts. */
export const SLOW_TEX_INPUTS: Record<string, string> = {
  'commands': '\\input{x}'.repeat(110_000),
  'commands between words on one line': '\\input{x} a '.repeat(90_000),
  'nested groups': `\\directlua{${'{'.repeat(500_000)}`,
  'nested commands': `${'\\input{'.repeat(140_000)}x${'}'.repeat(140_000)}`,
  'unclosed verbatim': `${'\\begin{verbatim}'.repeat(60_000)}`,
  'unclosed \\verb on one line': `${'\\verb€ \\verb£ '.repeat(70_000)}`,
  'carets': '^^'.repeat(500_000),
};
