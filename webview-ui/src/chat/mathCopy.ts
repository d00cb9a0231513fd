/**
 * "Copy LaTeX" on every displayed formula of a rendered text: a small button next to each
 * finished display-math block, which copies the TeX source KaTeX keeps in its MathML annotation.
 * Called after each render; blocks that already have their button are skipped, and the streamed
 * tail (re-rendered each frame) simply gets fresh ones.
 */
import { button } from '../element';

const MARK = 'data-copy-tex';

export function addMathCopyButtons(container: HTMLElement, copy: (tex: string) => void): void {
  const blocks = container.querySelectorAll<HTMLElement>(`.math-display:not(.md-pending-math):not([${MARK}]), p .katex-display:not([${MARK}])`);
  for (const block of blocks) {
    const tex = block.querySelector('annotation[encoding="application/x-tex"]')?.textContent?.trim();
    block.setAttribute(MARK, '');
    if (!tex) continue;
    const copyButton = button('Copy LaTeX', 'Copy this formula as LaTeX', 'math-copy');
    copyButton.addEventListener('click', () => {
      copy(tex);
      copyButton.textContent = 'Copied';
      window.setTimeout(() => (copyButton.textContent = 'Copy LaTeX'), 1500);
    });
    // Inside a block wrapper; after KaTeX's own span when the formula sits in a paragraph.
    if (block.classList.contains('math-display')) block.append(copyButton);
    else block.after(copyButton);
    block.classList.add('copyable-math');
  }
}
