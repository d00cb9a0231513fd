/**
 * The verdict of a finished critique, above the evaluation: Correct / Minor issues / Incorrect,
 * the findings with their severity and the passage they quote, and what could not be read from
 * the model's answer (no score, several scores, cut off), so format drift is visible, not silent.
 */
import { parseCritique, type CritiqueIssue } from '../../src/core/critique/parseCritique';
import type { RunSnapshot } from '../../src/core/webview/panelProtocol';
import type { DocumentRenderer } from './documentRenderer';
import { replaceChildrenWith } from './element';
import { setRenderedHtml } from './render/dom';

const VERDICTS = {
  correct: { label: 'Correct', tone: 'success' },
  'minor-issues': { label: 'Minor issues', tone: 'warning' },
  incorrect: { label: 'Incorrect', tone: 'error' },
} as const;

const SEVERITIES: Record<CritiqueIssue['severity'], string> = {
  critical: 'Critical error',
  gap: 'Justification gap',
  minor: 'Minor',
};

export class CritiqueView {
  readonly element = document.createElement('section');
  /** Which run and answer length is drawn, so the 1 s status tick does not redraw it. */
  private shown = '';

  constructor(private readonly renderer: DocumentRenderer) {
    this.element.className = 'verdict';
    this.element.setAttribute('aria-label', 'Verdict');
    this.element.hidden = true;
  }

  clear(): void {
    this.shown = '';
    this.element.hidden = true;
    this.element.replaceChildren();
  }

  show(run: RunSnapshot): void {
    const key = `${run.runId}:${run.answer.content.length}:${run.answer.finishReason ?? ''}`;
    if (key === this.shown) return;
    this.shown = key;
    const critique = parseCritique(run.answer.content, run.answer.finishReason);
    const verdict = critique.verdict ? VERDICTS[critique.verdict] : { label: 'No verdict', tone: 'neutral' as const };

    const heading = document.createElement('p');
    heading.className = 'verdict-heading';
    heading.dataset.tone = verdict.tone;
    heading.textContent = critique.score === null ? verdict.label : `${verdict.label} · score ${critique.score}`;

    const notes = critique.notes.map((note) => {
      const item = document.createElement('p');
      item.className = 'verdict-note';
      item.textContent = note;
      return item;
    });

    const findings = findingsList(critique.issues, this.renderer);
    replaceChildrenWith(this.element, [heading, ...notes, ...(critique.issues.length ? [findings] : [])]);
    this.element.hidden = false;
  }
}

/** The findings of a critique, each with its severity, the passage it quotes and why (also the Deep Prove panel's evaluations). */
export function findingsList(issues: readonly CritiqueIssue[], renderer: DocumentRenderer): HTMLOListElement {
  const findings = document.createElement('ol');
  findings.className = 'findings';
  for (const issue of issues) {
    const item = document.createElement('li');
    item.className = 'finding';
    item.dataset.severity = issue.severity;
    const severity = document.createElement('span');
    severity.className = 'finding-severity';
    severity.textContent = SEVERITIES[issue.severity];
    item.append(severity);
    if (issue.quote) {
      const quote = document.createElement('blockquote');
      quote.className = 'finding-quote markdown';
      setRenderedHtml(quote, renderer.render(issue.quote));
      item.append(quote);
    }
    const explanation = document.createElement('div');
    explanation.className = 'finding-explanation markdown';
    setRenderedHtml(explanation, renderer.render(issue.explanation));
    item.append(explanation);
    findings.append(item);
  }
  return findings;
}
