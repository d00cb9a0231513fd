/** Which environments hold proofs, in the languages theorem packages are used in. */

const PROOF_WORDS = new Set(['proof', 'beweis', 'preuve', 'demonstration']);

/** Lowercase, without a trailing `*` and without accents (`Démonstration` → `demonstration`). */
export function normalizeName(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\*+$/, '');
}

/**
 * Whether an environment holds a proof: amsthm's `proof`, or a declared environment named or
 * titled like one (ntheorem's `\newtheorem{beweis}{Beweis}`, a `\newenvironment` wrapping it).
 */
export function isProofEnvironment(env: string, title?: string): boolean {
  if (PROOF_WORDS.has(normalizeName(env))) return true;
  const firstWord = title === undefined ? '' : normalizeName(title).split(/[^a-z]+/).find((word) => word !== '');
  return firstWord !== undefined && PROOF_WORDS.has(firstWord);
}
