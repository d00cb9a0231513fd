/**
 * Deterministic olympiad-style proof text of any length, written the way QED-Nano writes its
 * answers: Markdown prose with inline math in `$…$` and `\(…\)`, display math in `$$…$$`, `\[…\]`
 * and `align*`, numbered and bulleted lists, bold step headings. For benchmarks and tests of the
 * renderer that need a long answer; the same seed gives the same text.
 */

type Random = () => number;

function random(seed: number): Random {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

const pick = <T>(next: Random, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const int = (next: Random, low: number, high: number): number => low + Math.floor(next() * (high - low + 1));

const VARIABLES = ['a', 'b', 'c', 'x', 'y', 'z', 'n', 'm', 'k', 'p', 'q'] as const;
const FUNCTIONS = ['f', 'g', 'P', 'Q'] as const;

/** A formula body (no delimiters) of a few terms. */
function formula(next: Random): string {
  const v = pick(next, VARIABLES);
  const w = pick(next, VARIABLES);
  const f = pick(next, FUNCTIONS);
  const i = int(next, 1, 9);
  const j = int(next, 2, 12);
  return pick(next, [
    `${v}^2 + ${w}^2 \\ge 2${v}${w}`,
    `\\frac{${v}+${w}}{2} \\ge \\sqrt{${v}${w}}`,
    `${f}(${v} + ${i}) = ${f}(${v}) + ${j}`,
    `\\sum_{i=1}^{${v}} i^{${i}} \\le ${v}^{${i + 1}}`,
    `${v} \\equiv ${i} \\pmod{${j}}`,
    `\\gcd(${v}, ${w}) = 1`,
    `${v}_{${i}} < ${v}_{${i + 1}} < \\dots < ${v}_{${j + i}}`,
    `\\binom{${v}}{${i}} = \\frac{${v}!}{${i}!\\,(${v}-${i})!}`,
    `|${f}(${v}) - ${f}(${w})| \\le ${i}|${v} - ${w}|`,
    `\\prod_{k=1}^{${j}} \\left(1 + \\frac{1}{k^{${i}}}\\right) < ${j + i}`,
    `${v} \\in \\mathbb{Z}_{>0}`,
    `\\lfloor ${v}/${j} \\rfloor + \\lceil ${w}/${i} \\rceil`,
    `\\angle ABC = ${i * 10}^\\circ`,
    `${f}(${f}(${v})) = ${v} + ${f}(0)`,
  ]);
}

function inlineMath(next: Random): string {
  const body = formula(next);
  return next() < 0.75 ? `$${body}$` : `\\(${body}\\)`;
}

function sentence(next: Random): string {
  const m = () => inlineMath(next);
  return pick(next, [
    `Since ${m()}, it follows that ${m()}.`,
    `Suppose, for contradiction, that ${m()} for some ${m()}.`,
    `By the AM-GM inequality, ${m()}, with equality exactly when ${m()}.`,
    `Substituting into the previous relation gives ${m()}, hence ${m()}.`,
    `Note that ${m()} holds for every integer in the range, so the claim reduces to showing ${m()}.`,
    `We proceed by induction on the number of terms; the base case ${m()} is immediate.`,
    `Taking both sides modulo a prime divisor of the left-hand side yields ${m()}.`,
    `This contradicts the minimality of our choice, because ${m()} while ${m()}.`,
    `In particular ${m()}, and the same argument applied to the other variable shows ${m()}.`,
    `Therefore the only possibility left is ${m()}, which we check directly.`,
    `Consider the set of all pairs with ${m()}; it is finite and nonempty.`,
    `Applying the Cauchy-Schwarz inequality to the two sequences, we obtain ${m()}.`,
  ]);
}

function paragraph(next: Random): string {
  const sentences: string[] = [];
  for (let count = int(next, 2, 5); count > 0; count--) sentences.push(sentence(next));
  return sentences.join(' ');
}

function displayMath(next: Random): string {
  const lines = () => Array.from({ length: int(next, 2, 4) }, () => formula(next).replace(/ (\\ge|\\le|=|<) /, ' &$1 '));
  return pick(next, [
    () => `$$\n${formula(next)}\n$$`,
    () => `$$${formula(next)}$$`,
    () => `\\[\n${formula(next)}\n\\]`,
    () => `\\begin{align*}\n${lines().join(' \\\\\n')}\n\\end{align*}`,
  ])();
}

function list(next: Random): string {
  const numbered = next() < 0.5;
  return Array.from({ length: int(next, 2, 4) }, (_, i) => `${numbered ? `${i + 1}.` : '-'} ${sentence(next)}`).join('\n');
}

function section(next: Random, step: () => number): string {
  const parts: string[] = [];
  if (next() < 0.25) parts.push(`**Step ${step()}.** ${paragraph(next)}`);
  else parts.push(paragraph(next));
  const roll = next();
  if (roll < 0.45) parts.push(`${paragraph(next).split('. ')[0]}. Hence\n${displayMath(next)}\nwhich is what we wanted.`);
  else if (roll < 0.6) parts.push(list(next));
  else if (roll < 0.8) parts.push(displayMath(next));
  return parts.join('\n\n');
}

/** About `chars` characters (whole sections, so slightly more) of proof text, ending in a newline. */
export function proofText(chars: number, seed = 1): string {
  const next = random(seed);
  let steps = 0;
  const sections = ['## Solution', `We claim that the answer is ${inlineMath(next)}.`];
  let length = sections.join('\n\n').length;
  while (length < chars) {
    const added = section(next, () => ++steps);
    sections.push(added);
    length += added.length + 2;
  }
  sections.push('This completes the proof. $\\blacksquare$');
  return sections.join('\n\n') + '\n';
}
