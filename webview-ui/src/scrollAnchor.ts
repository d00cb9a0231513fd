/**
 * Where the reader is in a long answer, so that a webview re-created after being hidden opens
 * at the same place. A pixel offset alone would drift: a reopened answer starts as placeholders
 * of estimated height (lazyBlocks.ts). So the place is kept as a rendered block (the first one
 * in view, by its index in its section) and how far its top was from the top of the view.
 */
import { boolean, count, number, object, optional, string, type Infer } from '../../src/core/webview/schema';

/** The first block in view: its section, its index there, and its top's distance from the view's top. */
export const anchorBlockSchema = object({ section: string, index: count, top: number });

/** The Proof panel's place, saved with its state (which may come from an older version: checked). */
export const scrollAnchorSchema = object({
  runId: string,
  /** The reader was at the end of a streaming answer: keep following it. */
  following: boolean,
  /** The page offset, for places outside the answer's blocks (statement, prompt). */
  scrollY: number,
  block: optional(anchorBlockSchema),
  /** The Thinking section as the reader left it, if they opened or closed it. */
  thinkingOpen: optional(boolean),
});
export type ScrollAnchor = Infer<typeof scrollAnchorSchema>;

type Sections = Record<string, HTMLElement>;

/** What scrolls: the page (the Proof panel) or an element (the chat's list of turns). */
export interface Viewport {
  /** The view's top edge and height, in client coordinates. */
  top(): number;
  height(): number;
  scrollTop(): number;
  scrollTo(top: number): void;
}

export const windowViewport: Viewport = {
  top: () => 0,
  height: () => window.innerHeight,
  scrollTop: () => window.scrollY,
  scrollTo: (top) => window.scrollTo({ top }),
};

export function elementViewport(element: HTMLElement): Viewport {
  return {
    top: () => element.getBoundingClientRect().top,
    height: () => element.clientHeight,
    scrollTop: () => element.scrollTop,
    scrollTo: (top) => {
      element.scrollTop = top;
    },
  };
}

/** Finished blocks (the streaming tail comes and goes). */
const BLOCK = '.md-page > .md-block';

/**
 * The first block of `sections` (in page order) in view. Pages first, by bisection (they are in
 * order, and each has its real or remembered height), then the blocks of that page: blocks in
 * pages the browser skips (`content-visibility`) have no trustworthy position.
 */
export function anchorBlock(sections: Sections, viewport = windowViewport): ScrollAnchor['block'] {
  const viewTop = viewport.top();
  for (const [section, element] of Object.entries(sections)) {
    const pages = element.querySelectorAll<HTMLElement>(':scope > .md-page');
    if (pages.length === 0 || element.offsetParent === null) continue;
    const page = pages[firstBelowTop(pages, viewTop)];
    if (!page) continue;
    const blocks = page.children;
    // Not an empty block (a lone `\label`…): it would come back as a placeholder with some height.
    const inView = (block: Element) => {
      const box = block.getBoundingClientRect();
      return box.bottom > viewTop && box.height >= 1;
    };
    let inPage = 0;
    while (inPage < blocks.length - 1 && !inView(blocks[inPage]!)) inPage++;
    const top = blocks[inPage]!.getBoundingClientRect().top - viewTop;
    // A section that starts below the view: the reader is above all its blocks.
    if (top >= viewport.height()) return undefined;
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
function firstBelowTop(elements: NodeListOf<HTMLElement>, viewTop: number): number {
  let low = 0;
  let high = elements.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (elements[middle]!.getBoundingClientRect().bottom <= viewTop) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Frames over which a restored place is held while the blocks around it render. */
const HOLD_FRAMES = 8;

/** The block an anchor names, found again by its section and index. */
export function anchoredBlock(sections: Sections, block: NonNullable<ScrollAnchor['block']>): HTMLElement | undefined {
  return sections[block.section]?.querySelectorAll<HTMLElement>(BLOCK)[block.index];
}

/** Scrolls back to `anchor` (its block if it is still there, else its offset). */
export function restoreAnchor(sections: Sections, anchor: ScrollAnchor, viewport = windowViewport): void {
  holdScroll(viewport, () => {
    const element = anchor.block && anchoredBlock(sections, anchor.block);
    return element ? offsetToShow(viewport, element, anchor.block!.top) : anchor.scrollY;
  });
}

/** The scroll offset that puts `element`'s top `top` pixels below the top of the view. */
export function offsetToShow(viewport: Viewport, element: HTMLElement, top: number): number {
  return viewport.scrollTop() + element.getBoundingClientRect().top - viewport.top() - top;
}

/**
 * Scrolls to `target()`. The blocks in view are placeholders at first, and as they render the
 * page moves: the place is set again in each of the next few frames, until the reader scrolls by
 * themselves.
 */
export function holdScroll(viewport: Viewport, target: () => number): void {
  let held = true;
  const readerEvents = ['wheel', 'keydown', 'pointerdown', 'touchstart'] as const;
  const release = () => {
    held = false;
    for (const type of readerEvents) window.removeEventListener(type, release, true);
  };
  for (const type of readerEvents) window.addEventListener(type, release, { capture: true, passive: true });
  viewport.scrollTo(target());
  let frames = 0;
  const hold = () => {
    if (!held) return;
    viewport.scrollTo(target());
    if (++frames < HOLD_FRAMES) requestAnimationFrame(hold);
    else release();
  };
  requestAnimationFrame(hold);
}
