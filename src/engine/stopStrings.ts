/**
 * OpenAI's `stop`: generation ends where one of the strings first appears, and none of it is sent.
 * Text arrives in chunks that need not end on a string's boundary, so a tail that could be the start
 * of a stop string is held back until the next chunk settles it.
 *
 * The strings apply to everything the model writes, its thinking included, as in vLLM and
 * llama-server (both match them on the raw output, before the reasoning is split off).
 */
export class StopStrings {
  private held = '';
  private matched = false;

  constructor(private readonly stops: readonly string[]) {}

  /** Whether a stop string has appeared: generation should end, and nothing more is passed on. */
  get stopped(): boolean {
    return this.matched;
  }

  /** The part of `text` that can be passed on: up to the first stop string, less a tail that may begin one. */
  push(text: string): string {
    if (this.matched) return '';
    const window = this.held + text;
    let first = -1;
    for (const stop of this.stops) {
      const at = window.indexOf(stop);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    if (first >= 0) {
      this.matched = true;
      this.held = '';
      return window.slice(0, first);
    }
    const keep = this.possibleStartLength(window);
    this.held = window.slice(window.length - keep);
    return window.slice(0, window.length - keep);
  }

  /** At the end of generation, the held tail: it turned out not to begin a stop string. */
  end(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Length of the longest end of `window` that is the start of a stop string. */
  private possibleStartLength(window: string): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let start = Math.max(0, window.length - stop.length + 1); start < window.length - longest; start++) {
        if (window.charCodeAt(start) === stop.charCodeAt(0) && stop.startsWith(window.slice(start))) {
          longest = window.length - start;
          break;
        }
      }
    }
    return longest;
  }
}
