/**
 * One turn of the conversation: the user's message, then the answer with its live Thinking
 * section, the answer text (streamed through the shared incremental renderer), a line saying how
 * it ended, and the actions that fit its state (Stop, Answer now, Continue, Retry, Copy, Insert
 * at cursor, Regenerate).
 */
import { isStreaming, type AssistantAnswer } from '../../../src/core/answer/answer';
import { applyDelta, deltaFrom, type AnswerDelta } from '../../../src/core/answer/answerDelta';
import { canAnswerNow, endedEarly } from '../../../src/core/answer/answerState';
import type { AnswerAction } from '../../../src/core/webview/chatProtocol';
import type { Turn } from '../../../src/core/conversation/types';
import type { DocumentRenderer } from '../documentRenderer';
import { setRenderedHtml } from '../render/dom';
import { IncrementalMarkdown } from '../render/incremental';
import { thinkingSummary } from '../runStats';
import { ThinkingSection } from '../thinkingSection';
import { answerNote } from './answerNote';
import { button, element, setText } from '../element';
import { addMathCopyButtons } from './mathCopy';
import { Throttle } from '../throttle';

/** Token counts and the note while streaming: four updates a second. */
const CHROME_INTERVAL_MS = 250;

export interface MessageViewHost {
  action(action: AnswerAction, turnId: string): void;
  copyText(text: string): void;
  /** The DOM changed (to keep the end in view while following). */
  rendered(): void;
}

export class MessageView {
  readonly element: HTMLElement;
  private answer: AssistantAnswer;
  private turnId: string;
  private userText: string;
  private typedText: string | undefined;
  private last = false;
  private showThinking = true;

  private readonly userBody = element('div', { class: 'markdown user-body' });
  /** For a slash command: the prompt it expanded to, exactly as the model got it. */
  private readonly sentText = element('pre', { class: 'prompt-text' });
  private readonly sent = element('details', { class: 'prompt sent-prompt' }, element('summary', { class: 'prompt-summary' }, 'Sent to the model'), this.sentText);
  readonly answerBody = element('div', { class: 'markdown answer-body' });
  private readonly note = element('p', { class: 'answer-note', role: 'status' });
  private readonly buttons = {
    stop: button('Stop', 'Stop generating'),
    answerNow: button('Answer now', 'Answer now: end the thinking and write the answer'),
    continue: button('Continue', 'Continue this answer where it was cut off', 'button'),
    retry: button('Retry', 'Retry: ask for this answer again', 'button'),
    copy: button('Copy', 'Copy the answer (Markdown and LaTeX source)'),
    insert: button('Insert at cursor', 'Insert the answer at the cursor (as LaTeX in .tex files)'),
    regenerate: button('Regenerate', 'Regenerate this answer'),
  };
  private readonly actions = element('div', { class: 'answer-actions', role: 'group', 'aria-label': 'Answer actions' }, ...Object.values(this.buttons));
  private readonly renderUser: () => void;
  private readonly answerText: IncrementalMarkdown;
  readonly thinking: ThinkingSection;
  private readonly chrome = new Throttle(() => this.updateChrome(), CHROME_INTERVAL_MS);

  constructor(
    turn: Turn,
    renderer: DocumentRenderer,
    private readonly host: MessageViewHost,
  ) {
    this.turnId = turn.id;
    this.userText = turn.user;
    this.typedText = turn.typed;
    this.answer = turn.assistant;
    this.thinking = new ThinkingSection(renderer, () => host.rendered());
    this.element = element(
      'article',
      { class: 'turn', 'data-turn-id': turn.id },
      element('section', { class: 'message user-message', 'aria-label': 'Your message' }, element('h2', { class: 'section-label message-role' }, 'You'), this.userBody, this.sent),
      element('section', { class: 'message assistant-message', 'aria-label': 'Answer' }, element('h2', { class: 'section-label message-role' }, 'QED-Nano'), this.thinking.element, this.answerBody, this.note, this.actions),
    );
    this.renderUser = () => {
      setRenderedHtml(this.userBody, renderer.render(this.typedText ?? this.userText));
      setText(this.sentText, this.userText);
      this.sent.hidden = this.typedText === undefined;
    };
    this.renderUser();
    const onRender = () => {
      addMathCopyButtons(this.answerBody, (tex) => host.copyText(tex));
      host.rendered();
    };
    this.answerText = new IncrementalMarkdown(this.answerBody, renderer, { onRender });
    for (const [action, node] of Object.entries(this.buttons)) {
      node.addEventListener('click', () => this.act(action === 'retry' ? 'regenerate' : (action as AnswerAction)));
    }
    this.thinking.append(turn.assistant.reasoning);
    this.answerText.append(turn.assistant.content);
    this.followThinking();
    if (!isStreaming(this.answer)) this.finishText();
    this.chrome.run();
  }

  get id(): string {
    return this.turnId;
  }

  get streaming(): boolean {
    return isStreaming(this.answer);
  }

  /** The turn again (a snapshot): only new text is rendered when it extends what is shown. */
  update(turn: Turn): void {
    if (turn.user !== this.userText || turn.typed !== this.typedText) {
      this.userText = turn.user;
      this.typedText = turn.typed;
      this.renderUser();
    }
    const next = turn.assistant;
    const delta = deltaFrom(this.answer, next);
    if (delta) return this.apply(delta);
    // Regenerated: start the answer over.
    this.answer = { ...next, reasoning: '', content: '' };
    this.thinking.reset('', true);
    this.answerText.reset();
    this.apply(deltaFrom(this.answer, next)!);
  }

  /** Text appended to the answer, and its other fields now. */
  apply(delta: AnswerDelta): void {
    const wasStreaming = isStreaming(this.answer);
    this.answer = applyDelta(this.answer, delta);
    const streaming = isStreaming(this.answer);
    if (!wasStreaming && streaming) {
      // Continued: the finished text was closed as blocks; the new text may continue its last
      // paragraph or formula, so the renderers start over from the whole text.
      this.thinking.reset(this.answer.reasoning);
      this.answerText.reset(this.answer.content);
    } else {
      this.thinking.append(delta.reasoning);
      this.answerText.append(delta.content);
    }
    this.followThinking();
    // A continued answer streams again after it had ended.
    if (wasStreaming && !streaming) this.finishText();
    // Counters change with every token; a change of state (started, ended) shows at once.
    if (wasStreaming === streaming) this.chrome.schedule();
    else this.chrome.run();
  }

  setLast(last: boolean): void {
    this.last = last;
    this.chrome.run();
  }

  setShowThinking(show: boolean): void {
    this.showThinking = show;
    this.chrome.run();
  }

  /** Everything around the text, now; while streaming the view calls this once a second. */
  refresh(): void {
    this.chrome.run();
  }

  private updateChrome(): void {
    const now = Date.now();
    const answer = this.answer;
    const streaming = isStreaming(answer);
    const hasContent = answer.content.trim() !== '';
    this.thinking.hidden = !this.showThinking || (!answer.reasoning && answer.reasoningTokens === 0);
    this.thinking.setLabel(thinkingSummary(answer, now));
    this.answerBody.hidden = !answer.content;
    this.answerBody.classList.toggle('streaming', streaming);
    this.answerBody.setAttribute('aria-busy', String(streaming));
    const note = answerNote(answer, hasContent);
    setText(this.note, note.text);
    this.note.dataset.tone = note.tone;
    this.note.hidden = !note.text;

    const b = this.buttons;
    b.stop.hidden = !streaming;
    // The last answer, cut at the length limit or stopped, can be picked up where it ended.
    b.answerNow.hidden = !(streaming || this.last) || !canAnswerNow(answer);
    b.continue.hidden = !this.last || !endedEarly(answer);
    const continueLabel = `Continue this answer ${answer.status === 'stopped' ? 'where it stopped' : 'where it was cut off'}`;
    if (b.continue.title !== continueLabel) {
      b.continue.title = continueLabel;
      b.continue.setAttribute('aria-label', continueLabel);
    }
    b.retry.hidden = answer.status !== 'error' || !this.last;
    b.copy.hidden = streaming || !hasContent;
    b.insert.hidden = streaming || !hasContent;
    b.regenerate.hidden = streaming || !this.last || answer.status === 'error';
    if (!streaming) {
      b.stop.disabled = false;
      b.stop.textContent = 'Stop';
      b.answerNow.disabled = false;
    }
    this.actions.hidden = Object.values(b).every((node) => node.hidden);
  }

  private act(action: AnswerAction): void {
    this.host.action(action, this.turnId);
    if (action === 'stop') {
      this.buttons.stop.disabled = true;
      this.buttons.stop.textContent = 'Stopping…';
    } else if (action === 'answerNow') {
      this.buttons.answerNow.disabled = true;
    } else if (action === 'copy') {
      this.buttons.copy.textContent = 'Copied';
      window.setTimeout(() => (this.buttons.copy.textContent = 'Copy'), 1500);
    }
  }

  private finishText(): void {
    this.answerText.finish();
    this.thinking.finish();
  }

  /** Open while only thinking streams; closed once the answer starts or the answer has ended — unless the user chose. */
  private followThinking(): void {
    this.thinking.follow(isStreaming(this.answer) && !this.answer.content);
  }
}
