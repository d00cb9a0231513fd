/**
 * The Deep Prove panel's header strip, always in view: the run's title, its status (with Stop
 * while it runs, Resume when it ended early or was interrupted), the tokens used against the
 * budget, the aggregate speed, the time elapsed and an upper bound on what is left, and the calls
 * done. Counters tick with `live` messages and once a second; only the status line is announced.
 */
import type { LiveCall } from '../../../src/core/deepProve/liveCall';
import type { RunView } from '../../../src/core/deepProve/runView';
import type { DocumentRenderer } from '../documentRenderer';
import { button, element, setAttribute, setHidden, setText } from '../element';
import { setRenderedHtml } from '../render/dom';
import { headerNumbers, runStatus } from './runText';

export type RunAction = 'stop' | 'resume';

export class RunHeader {
  private readonly title = element('h1', { class: 'deep-title' });
  private readonly stop = button('Stop', 'Stop the run (what finished is kept; Resume goes on from it)', 'button secondary');
  private readonly resume = button('Resume', 'Resume the run from what finished', 'button');
  private readonly statusText = element('span', { class: 'status-phase' });
  /** panel.css's status line: its tones, and the pulsing dot while running. */
  private readonly status = element('p', { class: 'status deep-status', role: 'status', 'aria-live': 'polite' }, this.statusText);
  private readonly budget = element('progress', { class: 'deep-budget', 'aria-label': 'Tokens used of the budget' });
  private readonly tokens = element('span', { class: 'deep-tokens' });
  /** Each kept whole when the strip wraps (the separators are the stylesheet's). */
  private readonly numberParts = {
    speed: element('span', { class: 'deep-number' }),
    elapsed: element('span', { class: 'deep-number' }),
    left: element('span', { class: 'deep-number' }),
    calls: element('span', { class: 'deep-number' }),
  };
  private readonly numbers = element('span', { class: 'deep-numbers' }, this.numberParts.speed, this.numberParts.elapsed, this.numberParts.left, this.numberParts.calls);
  readonly element = element(
    'header',
    { class: 'deep-header' },
    element('div', { class: 'deep-heading' }, this.title, element('div', { class: 'toolbar', role: 'group', 'aria-label': 'Run actions' }, this.stop, this.resume)),
    this.status,
    element('div', { class: 'deep-meter' }, this.budget, this.tokens, this.numbers),
  );
  /** Which status the buttons were last pressed in: a press holds until the status changes. */
  private pressedIn: string | undefined;

  constructor(
    private readonly renderer: DocumentRenderer,
    act: (action: RunAction) => void,
  ) {
    for (const [node, action] of [[this.stop, 'stop'], [this.resume, 'resume']] as const) {
      node.addEventListener('click', () => {
        act(action);
        node.disabled = true;
        if (action === 'stop') node.textContent = 'Stopping…';
        this.pressedIn = this.statusText.textContent ?? '';
      });
    }
  }

  /** After every view message. */
  update(view: RunView, live: readonly LiveCall[], now: number): void {
    this.renderTitle(view.run.title || 'Deep Prove');
    const status = runStatus(view);
    setText(this.statusText, status.text);
    setAttribute(this.status, 'data-tone', status.tone);
    if (this.pressedIn !== undefined && this.pressedIn !== status.text) {
      this.pressedIn = undefined;
      this.stop.disabled = this.resume.disabled = false;
      this.stop.textContent = 'Stop';
    }
    setHidden(this.stop, !status.canStop);
    setHidden(this.resume, !status.canResume);
    this.tick(view, live, now);
  }

  /** The counters only: on `live` messages and the 1 s tick. */
  tick(view: RunView, live: readonly LiveCall[], now: number): void {
    const numbers = headerNumbers(view, live, now);
    setAttribute(this.budget, 'max', String(numbers.budget));
    setAttribute(this.budget, 'value', String(Math.min(numbers.tokens, numbers.budget)));
    setAttribute(this.budget, 'aria-valuetext', numbers.tokensText);
    setText(this.tokens, numbers.tokensText);
    for (const name of ['speed', 'elapsed', 'left', 'calls'] as const) {
      setText(this.numberParts[name], numbers[name] ?? '');
      setHidden(this.numberParts[name], numbers[name] === undefined);
    }
  }

  /** Titles name results like "Theorem 2 ($\sqrt 2$ is irrational)": their math is rendered too. */
  private renderTitle(title: string): void {
    if (this.title.dataset.source === title) return;
    this.title.dataset.source = title;
    setRenderedHtml(this.title, this.renderer.render(title).trim());
    document.title = `Deep Prove · ${title}`;
  }
}
