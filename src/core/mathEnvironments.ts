/**
 * The environments that are math by themselves, outside `$…$`: one list for the Proof panel's
 * renderer (webview-ui/src/render) and the core's Markdown → LaTeX conversion (markdownMath.ts),
 * so a proof converts the way it looked. Imported by the webview: keep this module free of imports.
 * KaTeX knows most of them; the renderer maps the rest (multline, flalign, eqnarray) to ones it has.
 */
export const MATH_ENVIRONMENTS: ReadonlySet<string> = new Set(
  [
    'align', 'alignat', 'aligned', 'alignedat', 'equation', 'gather', 'gathered', 'multline',
    'flalign', 'eqnarray', 'split', 'cases', 'dcases', 'rcases', 'array', 'matrix', 'pmatrix',
    'bmatrix', 'Bmatrix', 'vmatrix', 'Vmatrix', 'smallmatrix', 'CD', 'subarray',
  ].flatMap((name) => [name, `${name}*`]),
);
