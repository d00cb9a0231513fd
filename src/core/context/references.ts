/** The labels a piece of LaTeX points to: `\ref`, cleveref, hyperref and blueprint `\uses`. */
import { maskComments } from '../latexLexer';

/** Commands whose argument is one label (a comma is part of the label). */
const SINGLE = ['ref', 'eqref', 'autoref', 'Autoref', 'nameref', 'Nameref', 'pageref', 'vref', 'Vref'];
/**
 * Commands whose argument is a comma-separated list: cleveref's, and the Lean blueprint's
 * `\uses{a, b}`, which names the results a statement depends on without printing anything.
 */
const LIST = ['cref', 'Cref', 'cpageref', 'Cpageref', 'labelcref', 'namecref', 'nameCref', 'uses'];
/** `\crefrange{first}{last}`. */
const RANGE = ['crefrange', 'Crefrange', 'cpagerefrange', 'Cpagerefrange'];

const REFERENCE = new RegExp(
  [
    String.raw`\\(?:${RANGE.join('|')})\*?\s*\{([^{}]*)\}\s*\{([^{}]*)\}`,
    String.raw`\\(${[...SINGLE, ...LIST].join('|')})\*?\s*\{([^{}]*)\}`,
    String.raw`\\hyperref\s*\[([^\]]*)\]`,
  ].join('|'),
  'g',
);
const LIST_COMMANDS = new Set(LIST);

/** Referenced labels in first-occurrence order, without duplicates; comments are ignored. */
export function referencedLabels(text: string): string[] {
  const labels = new Set<string>();
  for (const match of maskComments(text).matchAll(REFERENCE)) {
    const [, rangeFirst, rangeLast, command, argument, hyperrefLabel] = match;
    if (command !== undefined) {
      for (const part of LIST_COMMANDS.has(command) ? argument!.split(',') : [argument!]) add(labels, part);
    } else if (rangeFirst !== undefined) {
      add(labels, rangeFirst);
      add(labels, rangeLast!);
    } else {
      add(labels, hyperrefLabel!);
    }
  }
  return [...labels];
}

function add(labels: Set<string>, label: string): void {
  const trimmed = label.trim();
  if (trimmed !== '') labels.add(trimmed);
}
