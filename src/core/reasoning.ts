/**
 * Splits raw model text into reasoning and answer. This is the only place that knows about the
 * `<think>` tags; the engine server and the endpoint client both stream through it.
 *
 * QED-Nano's chat template opens `<think>` inside the prompt, so the output normally contains only
 * the closing tag: everything before the first `</think>` is reasoning, everything after is answer.
 * Newlines are trimmed the way Qwen's template does (`lstrip('\n')` on both parts), so neither part
 * starts with the blank lines the model writes around the tags.
 */

export const THINK_OPEN = '<think>';
export const THINK_CLOSE = '</think>';

export interface SplitText {
  reasoning: string;
  content: string;
}

type Phase = 'start' | 'reasoning' | 'answer';

export class ReasoningSplitter {
  private readonly startInReasoning: boolean;
  /** 'start' lasts only while the output could still begin with a literal `<think>`. */
  private phase: Phase = 'start';
  /** Text not yet classified: leading whitespace plus a partial `<think>`, or a partial `</think>`. */
  private held = '';
  /** Set at the start of each part, cleared by its first non-newline character. */
  private trimNewlines = true;

  constructor(options?: { startInReasoning?: boolean }) {
    this.startInReasoning = options?.startInReasoning ?? true;
  }

  get inReasoning(): boolean {
    return this.phase === 'start' ? this.startInReasoning : this.phase === 'reasoning';
  }

  /** Returns the parts of `text` that are certain; a possible tag prefix is held for the next call. */
  push(text: string): SplitText {
    const out: SplitText = { reasoning: '', content: '' };
    let s = this.held + text;
    this.held = '';

    if (this.phase === 'start') {
      // Some servers and templates still emit the opening tag; it opens reasoning in either mode.
      const trimmed = s.trimStart();
      if (trimmed.length < THINK_OPEN.length && THINK_OPEN.startsWith(trimmed)) {
        this.held = s;
        return out;
      }
      if (trimmed.startsWith(THINK_OPEN)) {
        s = trimmed.slice(THINK_OPEN.length);
        this.phase = 'reasoning';
      } else {
        this.phase = this.startInReasoning ? 'reasoning' : 'answer';
      }
    }

    if (this.phase === 'reasoning') {
      s = this.trim(s);
      const close = s.indexOf(THINK_CLOSE);
      if (close < 0) {
        const keep = partialCloseLength(s);
        out.reasoning = s.slice(0, s.length - keep);
        this.held = s.slice(s.length - keep);
        return out;
      }
      out.reasoning = s.slice(0, close);
      s = s.slice(close + THINK_CLOSE.length);
      this.phase = 'answer';
      this.trimNewlines = true;
    }

    // Only the first `</think>` splits: in the answer, later tags are ordinary text.
    out.content = this.trim(s);
    return out;
  }

  /** Flushes held-back text at the end of the stream. A reasoning-only output stays reasoning. */
  end(): SplitText {
    const held = this.held;
    this.held = '';
    if (this.phase === 'start') this.phase = this.startInReasoning ? 'reasoning' : 'answer';
    return this.phase === 'reasoning' ? { reasoning: held, content: '' } : { reasoning: '', content: held };
  }

  private trim(s: string): string {
    if (!this.trimNewlines) return s;
    let i = 0;
    while (i < s.length && (s[i] === '\n' || s[i] === '\r')) i++;
    if (i < s.length) this.trimNewlines = false;
    return s.slice(i);
  }
}

/** Length of the longest suffix of `s` that is a proper prefix of `</think>` (at most 7 chars). */
function partialCloseLength(s: string): number {
  for (let n = Math.min(THINK_CLOSE.length - 1, s.length); n > 0; n--) {
    if (s.endsWith(THINK_CLOSE.slice(0, n))) return n;
  }
  return 0;
}
