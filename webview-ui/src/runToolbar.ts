/**
 * The Proof panel's actions for the run it shows: Stop, Answer now, Continue, Insert proof, Copy
 * and Retry, each offered when the run's state allows it (the rules are core/answer/answerState's,
 * the same the host acts on), and each saying at once that it was pressed.
 */
import { isStreaming } from '../../src/core/answer/answer';
import { canAnswerNow, canContinuePastLimit, endedEarly } from '../../src/core/answer/answerState';
import { REASONING_CACHE_RESTARTS } from '../../src/core/deepProve/config';
import type { PanelToHost, RunSnapshot } from '../../src/core/webview/panelProtocol';
import { button, element } from './element';

export type RunAction = Exclude<PanelToHost['type'], 'ready'>;

const COPIED_FEEDBACK_MS = 1500;

export class RunToolbar {
  private readonly stop = button('Stop', 'Stop generating');
  private readonly answerNow = button('Answer now', 'Answer now: close the thinking and write the answer from it', undefined, 'Close the thinking and have the model write its answer from it now');
  /** Its name says where the run ended: set in `update`. */
  private readonly continue = element('button', { type: 'button', class: 'button secondary' }, 'Continue');
  private readonly pastLimit = button(
    'Continue past the limit',
    'Continue past the limit: summarise the thinking and start a new attempt from the summary',
    'button secondary',
    'The thinking ran out of room: summarise it and start a new attempt from the problem and the summary',
  );
  private readonly insert = button('Insert proof', 'Insert the proof into the document after the statement', 'button', 'Insert the proof into the document after the statement (as LaTeX in .tex files)');
  private readonly copy = button('Copy', 'Copy the proof as Markdown and LaTeX source', 'button', 'Copy the proof (Markdown and LaTeX source)');
  private readonly retry = button('Retry', 'Retry: ask the model again', undefined, 'Ask the model again');
  readonly element = element('div', { class: 'toolbar', role: 'group', 'aria-label': 'Proof actions' }, this.stop, this.answerNow, this.continue, this.pastLimit, this.insert, this.copy, this.retry);
  private copiedTimer: number | undefined;

  constructor(act: (action: RunAction) => void) {
    const buttons: [HTMLButtonElement, RunAction][] = [
      [this.stop, 'stop'],
      [this.answerNow, 'answerNow'],
      [this.continue, 'continue'],
      [this.pastLimit, 'continuePastLimit'],
      [this.insert, 'insert'],
      [this.copy, 'copy'],
      [this.retry, 'retry'],
    ];
    for (const [node, action] of buttons) {
      node.addEventListener('click', () => {
        act(action);
        this.pressed(action);
      });
    }
  }

  /** Insert proof is on offer (the page then lists what in the proof would do more than typeset). */
  get offersInsert(): boolean {
    return !this.insert.hidden;
  }

  update(run: RunSnapshot): void {
    const { answer } = run;
    const active = isStreaming(answer);
    this.stop.hidden = !active;
    if (!active) {
      this.stop.disabled = false;
      this.stop.textContent = 'Stop';
    }
    // A run restored after a window reload without its request can only be read and copied.
    const live = !run.detached;
    this.answerNow.hidden = !live || !canAnswerNow(answer);
    this.continue.hidden = !live || !endedEarly(answer);
    if (endedEarly(answer)) {
      const label = `Continue this run where it ${answer.status === 'stopped' ? 'stopped' : 'was cut off'}`;
      if (this.continue.title !== label) {
        this.continue.title = label;
        this.continue.setAttribute('aria-label', label);
      }
    }
    // The reasoning cache restarts a Prove a few times, as Deep Prove does.
    this.pastLimit.hidden = !live || run.kind !== 'prove' || !canContinuePastLimit(answer) || (run.attempt ?? 1) > REASONING_CACHE_RESTARTS;
    if (this.pastLimit.hidden || active) this.pastLimit.disabled = false;
    if (this.answerNow.hidden || !active) this.answerNow.disabled = false;
    if (active) this.continue.disabled = false;
    this.copy.disabled = !answer.content;
    this.retry.disabled = active;
    this.retry.hidden = !live;
    this.insert.hidden = !live || !run.insertable || run.kind === 'critique' || active || !answer.content.trim();
  }

  private pressed(action: RunAction): void {
    if (action === 'stop') {
      this.stop.disabled = true;
      this.stop.textContent = 'Stopping…';
    } else if (action === 'answerNow' || action === 'continue' || action === 'continuePastLimit') {
      // Until the host's next message says the run goes on (or ends).
      this[action === 'continuePastLimit' ? 'pastLimit' : action].disabled = true;
    } else if (action === 'copy') {
      this.copy.textContent = 'Copied';
      window.clearTimeout(this.copiedTimer);
      this.copiedTimer = window.setTimeout(() => {
        this.copy.textContent = 'Copy';
      }, COPIED_FEEDBACK_MS);
    }
  }
}
