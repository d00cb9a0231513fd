/**
 * Keeping the end of a streaming answer in view, in the Proof panel (the page scrolls) and the
 * chat (its list of turns scrolls). Following stops when the reader scrolls up from where the
 * view last put them, and resumes at the bottom. Comparing with the bottom alone would misread
 * text that grew after the view's own scroll as the reader leaving.
 */

/** Distance from the bottom within which the view keeps following streamed text. */
const FOLLOW_SLACK_PX = 48;

export interface Scroller {
  scrollTop(): number;
  scrollHeight(): number;
  clientHeight(): number;
  toEnd(): void;
  onScroll(listener: () => void): void;
}

export const windowScroller: Scroller = {
  scrollTop: () => window.scrollY,
  scrollHeight: () => document.documentElement.scrollHeight,
  clientHeight: () => window.innerHeight,
  toEnd: () => window.scrollTo({ top: document.documentElement.scrollHeight }),
  onScroll: (listener) => window.addEventListener('scroll', listener, { passive: true }),
};

export function elementScroller(element: HTMLElement): Scroller {
  return {
    scrollTop: () => element.scrollTop,
    scrollHeight: () => element.scrollHeight,
    clientHeight: () => element.clientHeight,
    toEnd: () => {
      element.scrollTop = element.scrollHeight;
    },
    onScroll: (listener) => element.addEventListener('scroll', listener, { passive: true }),
  };
}

export class FollowScroll {
  private following = true;
  /** Where the view last scrolled to while following. */
  private followedTo: number | undefined;

  constructor(
    private readonly scroller: Scroller,
    /** The reader scrolled (after following was updated). */
    scrolled: () => void,
  ) {
    scroller.onScroll(() => {
      const top = this.scroller.scrollTop();
      const atBottom = top + this.scroller.clientHeight() >= this.scroller.scrollHeight() - FOLLOW_SLACK_PX;
      this.following = atBottom || (this.followedTo !== undefined && top >= this.followedTo - 2);
      if (!this.following) this.followedTo = undefined;
      scrolled();
    });
  }

  get isFollowing(): boolean {
    return this.following;
  }

  /** Follow (a new answer, a reader back at the end) or not (a saved place in the middle). */
  set(following: boolean): void {
    this.following = following;
    this.followedTo = undefined;
  }

  /** Puts the end in view if the reader is following it. */
  keep(): void {
    if (!this.following) return;
    this.scroller.toEnd();
    this.followedTo = this.scroller.scrollTop();
  }
}
