/**
 * The Proof panel's page: header with actions and status, the statement, the Thinking section
 * and the proof. It mirrors the host's RunSnapshot and folds deltas and statuses into it.
 */
import { canAnswerNow, endedEarly } from '../../src/core/conversation/answerState';
import type { HostToPanel, PanelToHost, RunSnapshot } from '../../src/core/panelProtocol';
import { answerOf } from '../../src/core/runRecorder';
import { CritiqueView } from './critiqueView';
import { element, setText } from './element';
import type { DocumentRenderer } from './documentRenderer';
import { setRenderedHtml } from './render/dom';
import { IncrementalMarkdown } from './render/incremental';
import { RiskyTexView } from './riskyTexView';
import { isActive, statusLine, thinkingSummary } from './runStats';
import { anchorBlock, restoreAnchor, type ScrollAnchor } from './scrollAnchor';
import { Throttle } from './throttle';

type Delta = Extract<HostToPanel, { type: 'delta' }>;
type Status = Extract<HostToPanel, { type: 'status' }>;

export interface PanelViewHost {
  post(message: PanelToHost): void;
  /** The run changed; `urgent` for changes worth saving at once (status, new run). */
  runChanged(run: RunSnapshot | undefined, urgent: boolean): void;
  /** The page scrolled, or its text moved (blocks rendered): where the reader is may have changed. */
  placeChanged(): void;
}

/** Distance from the bottom within which the page keeps following streamed text. */
const FOLLOW_SLACK_PX = 48;
const COPIED_FEEDBACK_MS = 1500;
/** Token counts and the status line while streaming: four updates a second. */
const CHROME_INTERVAL_MS = 250;

export class PanelView {
  private run: RunSnapshot | undefined;
  /** The user opened or closed Thinking: stop opening and closing it for them. */
  private thinkingTouched = false;
  /** Reasoning not yet rendered because Thinking is closed (rendering hidden text is waste). */
  private thinkingBacklog = '';
  private following = true;
  /** Where the panel last scrolled to while following. */
  private followedTo: number | undefined;
  private timer: number | undefined;
  private readonly chrome = new Throttle(() => this.updateChrome(), CHROME_INTERVAL_MS);
  private copiedTimer: number | undefined;
  private readonly resyncRequested = new Set<string>();

  private readonly title = element('h1', { class: 'run-title' });
  private readonly source = element('p', { class: 'run-source' });
  private readonly statusPhase = element('span', { class: 'status-phase', role: 'status', 'aria-live': 'polite' });
  private readonly statusDetail = element('span', { class: 'status-detail' });
  private readonly status = element('p', { class: 'status' }, this.statusPhase, this.statusDetail);
  private readonly stopButton = element('button', { type: 'button', class: 'button secondary', 'aria-label': 'Stop generating', title: 'Stop generating' }, 'Stop');
  private readonly copyButton = element('button', { type: 'button', class: 'button', 'aria-label': 'Copy the proof as Markdown and LaTeX source', title: 'Copy the proof (Markdown and LaTeX source)' }, 'Copy');
  private readonly retryButton = element('button', { type: 'button', class: 'button secondary', 'aria-label': 'Retry: ask the model again', title: 'Ask the model again' }, 'Retry');
  private readonly answerNowButton = element('button', { type: 'button', class: 'button secondary', 'aria-label': 'Answer now: close the thinking and write the answer from it', title: 'Close the thinking and have the model write its answer from it now' }, 'Answer now');
  private readonly continueButton = element('button', { type: 'button', class: 'button secondary' }, 'Continue');
  private readonly insertButton = element('button', { type: 'button', class: 'button', 'aria-label': 'Insert the proof into the document after the statement', title: 'Insert the proof into the document after the statement (as LaTeX in .tex files)' }, 'Insert proof');
  private readonly contextLine = element('p', { class: 'run-context' });
  private readonly promptText = element('pre', { class: 'prompt-text' });
  /** Files outside the project whose text is in the prompt (an `\input{../elsewhere}`), named before the prompt. */
  private readonly promptOutside = element('p', { class: 'prompt-outside' });
  private readonly promptSection = element(
    'details',
    { class: 'prompt' },
    element('summary', { class: 'prompt-summary' }, 'Prompt (exactly what the model was sent)'),
    this.promptOutside,
    this.promptText,
  );
  private readonly reviewedBody = element('div', { class: 'markdown reviewed-body' });
  private readonly reviewed = element(
    'details',
    { class: 'reviewed' },
    element('summary', { class: 'reviewed-summary' }, 'Proof under review'),
    this.reviewedBody,
  );
  private readonly proofLabel = element('h2', { class: 'section-label', id: 'proof-label' }, 'Proof');
  private readonly statementBody = element('div', { class: 'markdown statement-body' });
  private readonly statement = element(
    'section',
    { class: 'statement', 'aria-labelledby': 'statement-label' },
    element('h2', { class: 'section-label', id: 'statement-label' }, 'Statement'),
    this.statementBody,
  );
  private readonly thinkingLabel = element('span', { class: 'thinking-label' }, 'Thinking');
  private readonly thinkingBody = element('div', { class: 'markdown thinking-body' });
  private readonly thinking = element(
    'details',
    { class: 'thinking' },
    element('summary', { class: 'thinking-summary' }, this.thinkingLabel),
    this.thinkingBody,
  );
  private readonly proofBody = element('div', { class: 'markdown proof-body' });
  private readonly proof = element(
    'section',
    { class: 'proof', 'aria-labelledby': 'proof-label' },
    this.proofLabel,
    this.proofBody,
  );
  private readonly empty = element(
    'p',
    { class: 'empty' },
    'No proof yet. Select a statement in a LaTeX or Markdown file and run “QED: Prove Selection”.',
  );
  private readonly header = element(
    'header',
    { class: 'run-header' },
    element('div', { class: 'run-heading' }, this.title, this.source, this.contextLine),
    element('div', { class: 'toolbar', role: 'group', 'aria-label': 'Proof actions' }, this.stopButton, this.answerNowButton, this.continueButton, this.insertButton, this.copyButton, this.retryButton),
    this.status,
  );
  private readonly critique: CritiqueView;
  private readonly riskyTex = new RiskyTexView();
  private readonly main: HTMLElement;

  private readonly proofText: IncrementalMarkdown;
  private readonly thinkingText: IncrementalMarkdown;

  constructor(
    root: HTMLElement,
    private readonly renderer: DocumentRenderer,
    private readonly host: PanelViewHost,
  ) {
    this.critique = new CritiqueView(renderer);
    this.main = element('main', { class: 'run' }, this.statement, this.reviewed, this.promptSection, this.critique.element, this.riskyTex.element, this.thinking, this.proof);
    root.replaceChildren(this.header, this.main, this.empty);
    const onRender = () => this.keepFollowing();
    this.proofText = new IncrementalMarkdown(this.proofBody, renderer, { onRender });
    this.thinkingText = new IncrementalMarkdown(this.thinkingBody, renderer, { onRender });
    // The end is followed right after each render. Following from a ResizeObserver instead (after
    // the frame's layout, which saves a forced layout) made frames late more often in the
    // streaming benchmark (bench/RESULTS.md), so it only notes that the reader's place moved.
    new ResizeObserver(() => this.placeChanged()).observe(this.main);

    this.stopButton.addEventListener('click', () => this.act('stop'));
    this.copyButton.addEventListener('click', () => this.act('copy'));
    this.retryButton.addEventListener('click', () => this.act('retry'));
    this.insertButton.addEventListener('click', () => this.act('insert'));
    this.answerNowButton.addEventListener('click', () => this.act('answerNow'));
    this.continueButton.addEventListener('click', () => this.act('continue'));
    // A click on the summary is the user's (keyboard activation of a summary is a click too);
    // `toggle` also fires for the panel's own opening and closing.
    this.thinking.querySelector('summary')!.addEventListener('click', () => {
      this.thinkingTouched = true;
    });
    this.thinking.addEventListener('toggle', () => this.flushThinkingBacklog());
    // Following stops when the user scrolls up from where the panel last put the page, and
    // resumes at the bottom. (Comparing with the bottom alone would misread text that grew
    // after the panel's own scroll as the user leaving.)
    window.addEventListener('scroll', () => {
      const page = document.documentElement;
      const atBottom = window.innerHeight + window.scrollY >= page.scrollHeight - FOLLOW_SLACK_PX;
      this.following = atBottom || (this.followedTo !== undefined && window.scrollY >= this.followedTo - 2);
      if (!this.following) this.followedTo = undefined;
      this.placeChanged();
    }, { passive: true });
    this.chrome.run();
  }

  get snapshot(): RunSnapshot | undefined {
    return this.run;
  }

  /** Where the reader is, saved with the run for when the webview is re-created. */
  get scrollAnchor(): ScrollAnchor | undefined {
    if (!this.run) return undefined;
    return {
      runId: this.run.runId,
      following: this.following,
      scrollY: window.scrollY,
      block: anchorBlock(this.scrollSections()),
      thinkingOpen: this.thinkingTouched ? this.thinking.open : undefined,
    };
  }

  /** Back to where the reader was in this run (after `showSnapshot` of the same run). */
  restoreScroll(anchor: ScrollAnchor): void {
    const run = this.run;
    if (!run || anchor.runId !== run.runId) return;
    if (anchor.thinkingOpen !== undefined) {
      this.thinkingTouched = true;
      this.thinking.open = anchor.thinkingOpen;
      this.flushThinkingBacklog();
    }
    if (anchor.following && isActive(run)) return this.keepFollowing();
    restoreAnchor(this.scrollSections(), anchor);
  }

  private scrollSections(): Record<string, HTMLElement> {
    return { thinking: this.thinkingBody, proof: this.proofBody };
  }

  handle(message: HostToPanel): void {
    switch (message.type) {
      case 'snapshot':
        this.showSnapshot(message.run);
        break;
      case 'delta':
        this.applyDelta(message);
        break;
      case 'status':
        this.applyStatus(message);
        break;
    }
  }

  showSnapshot(next: RunSnapshot | undefined): void {
    const current = this.run;
    if (
      next && current && next.runId === current.runId &&
      next.content.startsWith(current.content) && next.reasoning.startsWith(current.reasoning) &&
      // A run that had ended and streams again is drawn anew (see resumeText).
      (isActive(current) || !isActive(next))
    ) {
      // The same run again (the webview was shown again): only what is new gets rendered.
      const reasoning = next.reasoning.slice(current.reasoning.length);
      const content = next.content.slice(current.content.length);
      this.run = { ...next, answerStartedAt: next.answerStartedAt ?? current.answerStartedAt };
      this.appendReasoning(reasoning);
      this.proofText.append(content);
      this.updateThinkingOpen();
    } else {
      this.run = next ? { ...next } : undefined;
      this.thinkingTouched = false;
      this.thinkingBacklog = '';
      this.following = true;
      this.followedTo = undefined;
      this.renderer.setMacros(next?.macros);
      setRenderedHtml(this.statementBody, next ? this.renderer.render(next.statement) : '');
      setRenderedHtml(this.reviewedBody, next?.proof ? this.renderer.render(next.proof) : '');
      this.promptText.textContent = next?.prompt ?? '';
      const outside = next?.outsideContextFiles ?? [];
      this.promptOutside.textContent = outside.length ? `Context from files outside the project: ${outside.join(', ')}` : '';
      this.promptOutside.hidden = outside.length === 0;
      this.promptSection.open = false;
      this.critique.clear();
      this.thinkingText.reset();
      this.proofText.reset(next?.content ?? '');
      this.updateThinkingOpen();
      this.appendReasoning(next?.reasoning ?? '');
    }
    if (this.run && !isActive(this.run)) this.finishText();
    this.host.runChanged(this.run, true);
    this.chrome.run();
  }

  private applyDelta(delta: Delta): void {
    const run = this.run;
    if (!run || delta.runId !== run.runId) return this.resync(delta.runId);
    run.reasoning += delta.reasoning;
    run.content += delta.content;
    run.reasoningChunks = delta.reasoningChunks;
    run.contentChunks = delta.contentChunks;
    run.firstTokenAt ??= delta.firstTokenAt;
    run.pausedMs = delta.pausedMs ?? run.pausedMs;
    run.thinkingPausedMs = delta.thinkingPausedMs ?? run.thinkingPausedMs;
    // Hosts that do not say when the answer started get the panel's own observation.
    if (delta.content) run.answerStartedAt ??= delta.answerStartedAt ?? Date.now();
    this.appendReasoning(delta.reasoning);
    this.proofText.append(delta.content);
    this.updateThinkingOpen();
    this.host.runChanged(run, false);
    this.chrome.schedule();
  }

  private applyStatus(status: Status): void {
    const run = this.run;
    if (!run || status.runId !== run.runId) return this.resync(status.runId);
    const resumed = !isActive(run) && (status.status === 'loading' || status.status === 'running');
    if (resumed) {
      // Continue or Answer now: what said how the run ended no longer holds.
      run.finishReason = undefined;
      run.endedAt = undefined;
      run.error = undefined;
      this.resumeText(run);
    }
    run.forcedAnswer = status.forcedAnswer;
    run.pausedMs = status.pausedMs ?? run.pausedMs;
    run.thinkingPausedMs = status.thinkingPausedMs ?? run.thinkingPausedMs;
    run.status = status.status;
    run.progress = status.progress;
    run.finishReason = status.finishReason ?? run.finishReason;
    run.usage = status.usage ?? run.usage;
    run.endedAt = status.endedAt ?? run.endedAt;
    run.error = status.error ?? run.error;
    if (status.source) run.source = status.source;
    if (status.limits) run.limits = status.limits;
    if (!isActive(run)) this.finishText();
    this.host.runChanged(run, true);
    this.chrome.run();
  }

  /** A message about a run this page does not show: ask once for the host's snapshot. */
  private resync(runId: string): void {
    if (this.resyncRequested.has(runId)) return;
    this.resyncRequested.add(runId);
    this.host.post({ type: 'ready' });
  }

  /**
   * A run that had ended streams again (Continue, Answer now). Its text was closed as finished
   * blocks, and the new text may go on with the last paragraph or formula: render it all again.
   */
  private resumeText(run: RunSnapshot): void {
    this.thinkingBacklog = this.thinking.open ? '' : run.reasoning;
    this.thinkingText.reset(this.thinking.open ? run.reasoning : '');
    this.proofText.reset(run.content);
  }

  private finishText(): void {
    this.proofText.finish();
    this.thinkingText.finish();
  }

  private appendReasoning(text: string): void {
    if (!text) return;
    if (this.thinking.open) this.thinkingText.append(text);
    else this.thinkingBacklog += text;
  }

  private flushThinkingBacklog(): void {
    if (!this.thinking.open || !this.thinkingBacklog) return;
    this.thinkingText.append(this.thinkingBacklog);
    this.thinkingBacklog = '';
    if (this.run && !isActive(this.run)) this.thinkingText.finish();
    else this.thinkingText.flush();
  }

  /** Open while only reasoning streams; closed once the answer starts — unless the user chose. */
  private updateThinkingOpen(): void {
    if (this.thinkingTouched || !this.run) return;
    const open = !this.run.content;
    if (this.thinking.open !== open) this.thinking.open = open;
    // `toggle` is asynchronous; render the backlog now so the opened section is not empty for a frame.
    this.flushThinkingBacklog();
  }

  private act(type: 'stop' | 'copy' | 'retry' | 'insert' | 'answerNow' | 'continue'): void {
    const run = this.run;
    if (!run) return;
    this.host.post({ type, runId: run.runId });
    if (type === 'stop') {
      this.stopButton.disabled = true;
      this.stopButton.textContent = 'Stopping…';
    } else if (type === 'answerNow' || type === 'continue') {
      // Until the host's status says the run goes on (or ends).
      (type === 'answerNow' ? this.answerNowButton : this.continueButton).disabled = true;
    } else if (type === 'copy') {
      this.copyButton.textContent = 'Copied';
      window.clearTimeout(this.copiedTimer);
      this.copiedTimer = window.setTimeout(() => {
        this.copyButton.textContent = 'Copy';
      }, COPIED_FEEDBACK_MS);
    }
  }

  /** While a run streams, its saves (every second) carry the place: only a finished run's place is saved apart. */
  private placeChanged(): void {
    if (!(this.run && isActive(this.run))) this.host.placeChanged();
  }

  private keepFollowing(): void {
    if (this.following && this.run && isActive(this.run)) {
      window.scrollTo({ top: document.documentElement.scrollHeight });
      this.followedTo = window.scrollY;
    }
  }

  /** Everything around the text: header, status, Thinking summary, buttons, visibility. Run through `chrome`. */
  private updateChrome(): void {
    const run = this.run;
    const now = Date.now();
    this.header.hidden = !run;
    this.main.hidden = !run;
    this.empty.hidden = !!run;
    this.setTicking(!!run && isActive(run));
    if (!run) {
      document.title = 'QED Proof';
      return;
    }
    const active = isActive(run);
    this.renderTitle(run.title || 'Proof');
    setText(this.source, run.source);
    this.source.hidden = !run.source;
    setText(this.contextLine, run.contextSummary ?? '');
    this.contextLine.hidden = !run.contextSummary;
    this.promptSection.hidden = !run.prompt;
    this.reviewed.hidden = !run.proof;
    setText(this.proofLabel, run.kind === 'critique' ? 'Evaluation' : run.kind === 'repair' ? 'Repaired proof' : 'Proof');
    if (run.kind === 'critique' && !active) this.critique.show(run);
    else this.critique.clear();
    document.title = `QED · ${run.title}`;

    const line = statusLine(run, now);
    this.status.dataset.tone = line.tone;
    setText(this.statusPhase, line.phase);
    setText(this.statusDetail, line.detail ? ` · ${line.detail}` : '');

    this.statement.hidden = !run.statement.trim();
    this.thinking.hidden = !run.reasoning && run.reasoningChunks === 0;
    setText(this.thinkingLabel, thinkingSummary(run, now));
    this.proof.hidden = !run.content;
    this.proofBody.setAttribute('aria-busy', String(active));
    this.proofBody.classList.toggle('streaming', active);

    this.stopButton.hidden = !active;
    if (!active) {
      this.stopButton.disabled = false;
      this.stopButton.textContent = 'Stop';
    }
    // A run restored after a window reload without its request can only be read and copied.
    const live = !run.detached;
    const answer = answerOf(run);
    // Until the first token there is nothing to answer from.
    this.answerNowButton.hidden = !live || (active && run.firstTokenAt === undefined) || !canAnswerNow(answer);
    this.continueButton.hidden = !live || !endedEarly(answer);
    if (endedEarly(answer)) {
      const label = `Continue this run where it ${answer.status === 'stopped' ? 'stopped' : 'was cut off'}`;
      if (this.continueButton.title !== label) {
        this.continueButton.title = label;
        this.continueButton.setAttribute('aria-label', label);
      }
    }
    if (this.answerNowButton.hidden || !active) this.answerNowButton.disabled = false;
    if (active) this.continueButton.disabled = false;
    this.copyButton.disabled = !run.content;
    this.retryButton.disabled = active;
    this.retryButton.hidden = !live;
    this.insertButton.hidden = !live || !run.insertable || run.kind === 'critique' || active || !run.content.trim();
    // Before Insert proof writes LaTeX: what in it would do more than typeset.
    if (!this.insertButton.hidden && run.insertsAs === 'latex') this.riskyTex.show(run);
    else this.riskyTex.clear();
  }

  /** Titles name results like "Lemma (Lifting the exponent, $p$ odd)": their math is rendered too. */
  private renderTitle(title: string): void {
    if (this.title.dataset.source === title) return;
    this.title.dataset.source = title;
    setRenderedHtml(this.title, this.renderer.render(title).trim());
  }

  private setTicking(on: boolean): void {
    if (on && this.timer === undefined) {
      this.timer = window.setInterval(() => this.chrome.run(), 1000);
    } else if (!on && this.timer !== undefined) {
      window.clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
