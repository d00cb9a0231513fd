/**
 * The Proof panel's page: header with actions and status, the statement, the Thinking section
 * and the proof. It draws the run as `reduceRun` keeps it from the host's messages.
 */
import { isStreaming } from '../../src/core/answer/answer';
import type { HostToPanel, PanelToHost, RunSnapshot } from '../../src/core/webview/panelProtocol';
import { CritiqueView } from './critiqueView';
import { element, setText } from './element';
import type { DocumentRenderer } from './documentRenderer';
import { FollowScroll, windowScroller } from './followScroll';
import { setRenderedHtml } from './render/dom';
import { IncrementalMarkdown } from './render/incremental';
import { RiskyTexView } from './riskyTexView';
import { reduceRun, type RunChange } from './runState';
import { RunToolbar } from './runToolbar';
import { statusLine, thinkingSummary } from './runStats';
import { anchorBlock, restoreAnchor, type ScrollAnchor } from './scrollAnchor';
import { ThinkingSection } from './thinkingSection';
import { Throttle } from './throttle';

const isActive = (run: RunSnapshot) => isStreaming(run.answer);

export interface PanelViewHost {
  post(message: PanelToHost): void;
  /** The run changed; `urgent` for changes worth saving at once (status, new run). */
  runChanged(run: RunSnapshot | undefined, urgent: boolean): void;
  /** The page scrolled, or its text moved (blocks rendered): where the reader is may have changed. */
  placeChanged(): void;
}

/** Token counts and the status line while streaming: four updates a second. */
const CHROME_INTERVAL_MS = 250;

export class PanelView {
  private run: RunSnapshot | undefined;
  private timer: number | undefined;
  private readonly chrome = new Throttle(() => this.updateChrome(), CHROME_INTERVAL_MS);
  private readonly resyncRequested = new Set<string>();

  private readonly title = element('h1', { class: 'run-title' });
  private readonly source = element('p', { class: 'run-source' });
  private readonly statusPhase = element('span', { class: 'status-phase', role: 'status', 'aria-live': 'polite' });
  private readonly statusDetail = element('span', { class: 'status-detail' });
  private readonly status = element('p', { class: 'status' }, this.statusPhase, this.statusDetail);
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
  private readonly toolbar = new RunToolbar((type) => {
    if (this.run) this.host.post({ type, runId: this.run.runId });
  });
  private readonly header = element(
    'header',
    { class: 'run-header' },
    element('div', { class: 'run-heading' }, this.title, this.source, this.contextLine),
    this.toolbar.element,
    this.status,
  );
  private readonly critique: CritiqueView;
  private readonly riskyTex = new RiskyTexView();
  private readonly main: HTMLElement;
  private readonly thinking: ThinkingSection;
  private readonly proofText: IncrementalMarkdown;
  private readonly follow: FollowScroll;

  constructor(
    root: HTMLElement,
    private readonly renderer: DocumentRenderer,
    private readonly host: PanelViewHost,
  ) {
    this.critique = new CritiqueView(renderer);
    const onRender = () => this.keepFollowing();
    this.thinking = new ThinkingSection(renderer, onRender);
    this.main = element('main', { class: 'run' }, this.statement, this.reviewed, this.promptSection, this.critique.element, this.riskyTex.element, this.thinking.element, this.proof);
    root.replaceChildren(this.header, this.main, this.empty);
    this.proofText = new IncrementalMarkdown(this.proofBody, renderer, { onRender });
    this.follow = new FollowScroll(windowScroller, () => this.placeChanged());
    // The end is followed right after each render. Following from a ResizeObserver instead (after
    // the frame's layout, which saves a forced layout) made frames late more often in the
    // streaming benchmark (bench/RESULTS.md), so it only notes that the reader's place moved.
    new ResizeObserver(() => this.placeChanged()).observe(this.main);

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
      following: this.follow.isFollowing,
      scrollY: window.scrollY,
      block: anchorBlock(this.scrollSections()),
      thinkingOpen: this.thinking.choice,
    };
  }

  /** Back to where the reader was in this run (after `showSnapshot` of the same run). */
  restoreScroll(anchor: ScrollAnchor): void {
    const run = this.run;
    if (!run || anchor.runId !== run.runId) return;
    if (anchor.thinkingOpen !== undefined) this.thinking.choose(anchor.thinkingOpen);
    if (anchor.following && isActive(run)) return this.keepFollowing();
    restoreAnchor(this.scrollSections(), anchor);
  }

  private scrollSections(): Record<string, HTMLElement> {
    return { thinking: this.thinking.body, proof: this.proofBody };
  }

  handle(message: HostToPanel): void {
    const { run, change } = reduceRun(this.run, message);
    this.run = run;
    this.draw(change);
  }

  /** A run saved by this page before it was re-created: drawn as the host would send it. */
  showSnapshot(run: RunSnapshot | undefined): void {
    this.handle({ type: 'snapshot', run });
  }

  private draw(change: RunChange): void {
    const run = this.run;
    switch (change.kind) {
      case 'unknown':
        return this.resync(change.runId);
      case 'new':
        this.drawNew(run);
        break;
      case 'answer':
        if (change.resumed) {
          // Continue or Answer now: the text was closed as finished blocks, and the new text may
          // go on with the last paragraph or formula: render it all again.
          this.thinking.reset(run!.answer.reasoning);
          this.proofText.reset(run!.answer.content);
        } else {
          this.thinking.append(change.reasoning);
          this.proofText.append(change.content);
        }
        this.thinking.follow(!run!.answer.content);
        break;
      case 'header':
        break;
    }
    if (run && !isActive(run) && change.kind !== 'header') this.finishText();
    const urgent = change.kind !== 'answer' || change.statusChanged;
    this.host.runChanged(run, urgent);
    if (urgent) this.chrome.run();
    else this.chrome.schedule();
  }

  private drawNew(next: RunSnapshot | undefined): void {
    this.follow.set(true);
    this.renderer.setMacros(next?.macros);
    setRenderedHtml(this.statementBody, next ? this.renderer.render(next.statement) : '');
    setRenderedHtml(this.reviewedBody, next?.proof ? this.renderer.render(next.proof) : '');
    this.promptText.textContent = next?.prompt ?? '';
    const outside = next?.outsideContextFiles ?? [];
    this.promptOutside.textContent = outside.length ? `Context from files outside the project: ${outside.join(', ')}` : '';
    this.promptOutside.hidden = outside.length === 0;
    this.promptSection.open = false;
    this.critique.clear();
    this.thinking.reset('', true);
    this.proofText.reset(next?.answer.content ?? '');
    this.thinking.follow(!next?.answer.content);
    this.thinking.append(next?.answer.reasoning ?? '');
  }

  /** A message about a run this page does not show: ask once for the host's snapshot. */
  private resync(runId: string): void {
    if (this.resyncRequested.has(runId)) return;
    this.resyncRequested.add(runId);
    this.host.post({ type: 'ready' });
  }

  private finishText(): void {
    this.proofText.finish();
    this.thinking.finish();
  }

  /** While a run streams, its saves (every second) carry the place: only a finished run's place is saved apart. */
  private placeChanged(): void {
    if (!(this.run && isActive(this.run))) this.host.placeChanged();
  }

  private keepFollowing(): void {
    if (this.run && isActive(this.run)) this.follow.keep();
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
    const { answer } = run;
    this.thinking.hidden = !answer.reasoning && answer.reasoningTokens === 0;
    this.thinking.setLabel(thinkingSummary(answer, now));
    this.proof.hidden = !answer.content;
    this.proofBody.setAttribute('aria-busy', String(active));
    this.proofBody.classList.toggle('streaming', active);

    this.toolbar.update(run);
    // Before Insert proof writes LaTeX: what in it would do more than typeset.
    if (this.toolbar.offersInsert && run.insertsAs === 'latex') this.riskyTex.show(run);
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
