/**
 * Where the reader is in a long answer, so that a webview re-created after being hidden opens
 * at the same place. A pixel offset alone would drift: a reopened answer starts as placeholders
 * of estimated height (lazyBlocks.ts). So the place is kept as a rendered block (the first one
 * in view, by its index in its section) and how far its top was from the top of the view.
 */

export interface ScrollAnchor {
  runId: string;
  /** The reader was at the end of a streaming answer: keep following it. */
  following: boolean;
  /** The page offset, for places outside the answer's blocks (statement, prompt). */
  scrollY: number;
  block?: { section: string; index: number; top: number };
  /** The Thinking section as the reader left it, if they opened or closed it. */
  thinkingOpen?: boolean;
}

type Sections = Record<string, HTMLElement>;

/** Finished blocks (the streaming tail comes and goes). */
const BLOCK = '.md-page > .md-block';

/**
 * The first block of `sections` (in page order) in view. Pages first, by bisection (they are in
 * order, and each has its real or remembered height), then the blocks of that page: blocks in
 * pages the browser skips (`content-visibility`) have no trustworthy position.
 */
export function anchorBlock(sections: Sections): ScrollAnchor['block'] {
  for (const [section, element] of Object.entries(sections)) {
    const pages = element.querySelectorAll<HTMLElement>(':scope > .md-page');
    if (pages.length === 0 || element.offsetParent === null) continue;
    const page = pages[firstBelowTop(pages)];
    if (!page) continue;
    const blocks = page.children;
    // Not an empty block (a lone `\label`…): it would come back as a placeholder with some height.
    const inView = (block: Element) => {
      const box = block.getBoundingClientRect();
      return box.bottom > 0 && box.height >= 1;
    };
    let inPage = 0;
    while (inPage < blocks.length - 1 && !inView(blocks[inPage]!)) inPage++;
    const top = blocks[inPage]!.getBoundingClientRect().top;
    // A section that starts below the view: the reader is above all its blocks.
    if (top >= window.innerHeight) return undefined;
    let index = inPage;
    for (const before of pages) {
      if (before === page) break;
      index += before.children.length;
    }
    return { section, index, top };
  }
  return undefined;
}

/** The index of the first element whose bottom is below the top of the view (or the length). */
function firstBelowTop(elements: NodeListOf<HTMLElement>): number {
  let low = 0;
  let high = elements.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (elements[middle]!.getBoundingClientRect().bottom <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Frames over which a restored place is held while the blocks around it render. */
const HOLD_FRAMES = 8;

/**
 * Scrolls back to `anchor`; the block is found again by its section and index. The blocks in view
 * are placeholders at first, and as they render the page moves: the place is set again in each of
 * the next few frames, until the reader scrolls by themselves.
 */
export function restoreAnchor(sections: Sections, anchor: ScrollAnchor): void {
  const scroll = () => {
    const block = anchor.block;
    const element = block ? sections[block.section]?.querySelectorAll<HTMLElement>(BLOCK)[block.index] : undefined;
    if (element && block) window.scrollTo({ top: window.scrollY + element.getBoundingClientRect().top - block.top });
    else window.scrollTo({ top: anchor.scrollY });
  };
  let held = true;
  const readerEvents = ['wheel', 'keydown', 'pointerdown', 'touchstart'] as const;
  const release = () => {
    held = false;
    for (const type of readerEvents) window.removeEventListener(type, release, true);
  };
  for (const type of readerEvents) window.addEventListener(type, release, { capture: true, passive: true });
  scroll();
  let frames = 0;
  const hold = () => {
    if (!held) return;
    scroll();
    if (++frames < HOLD_FRAMES) requestAnimationFrame(hold);
    else release();
  };
  requestAnimationFrame(hold);
}
