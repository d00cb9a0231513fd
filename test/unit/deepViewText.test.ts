/**
 * What the Deep Prove panel's page shows, from run views folded from hand-written journals: the
 * cards' models (phase, attempts, chips, mean, lineage, best), the chips' labels, the status texts
 * and what each status offers, the header's numbers and the best proof's placeholder.
 */
import assert from 'node:assert/strict';
import { cardModel, chipModel, lineageText, liveByCandidate, liveText, refinedIntoText, scoreLabel } from '../../webview-ui/src/deep/cardModel';
import { bestPlaceholder, compactTokens, duration, headerNumbers, roughDuration, roundLabel, runStatus } from '../../webview-ui/src/deep/runText';
import { cutAttempt, JournalWriter, liveCall, proofAnswer, answer, verdictAnswer } from '../helpers/deepJournal';

const T0 = 1_800_000_000_000;

/** c1 done (1, ½, ?, 1); c2 mid-verification; c3 on its second attempt from a summary; c4 refined from c1. */
function midRun(): JournalWriter {
  const j = new JournalWriter(T0, { config: { poolSize: 3 } }).start(0);
  j.candidate('c1', 10).candidate('c2', 10).candidate('c3', 10);
  j.done('c1/a1', 20, 60_000, proofAnswer('Proof one $x$.', 21_000));
  j.done('c1/v1', 60_100, 90_000, verdictAnswer(1, 'Fine.'));
  j.done('c1/v2', 60_100, 91_000, verdictAnswer(0.5, 'A gap.'));
  j.done('c1/v3', 60_100, 92_000, verdictAnswer(null, 'I could not decide.'));
  j.done('c1/v4', 60_100, 93_000, verdictAnswer(1, 'Fine.'));
  j.done('c2/a1', 20, 70_000, proofAnswer('Proof two.', 18_000));
  j.done('c2/v1', 70_100, 95_000, verdictAnswer(0, 'Wrong.'));
  j.call('c2/v2', 95_100);
  j.done('c3/a1', 20, 80_000, cutAttempt());
  j.done('c3/s1', 80_100, 85_000, answer('The attempt showed $p$ is even.', 1_200));
  j.call('c3/a2', 85_100);
  j.candidate('c4', 93_500, { round: 1, parent: 'c1', from: [2, 3] });
  return j;
}

describe('Deep Prove page: what the cards show', () => {
  it('labels the scores 1, ½, 0 and ? (unreadable, never a 0)', () => {
    assert.deepEqual([1, 0.5, 0, null].map((score) => scoreLabel(score as 0 | 0.5 | 1 | null)), ['1', '½', '0', '?']);
    const unreadable = chipModel('c1', { index: 3, status: 'done', score: null, notes: ['No \\boxed{} score found'], evaluation: '', issues: [], tokens: 10 });
    assert.equal(unreadable.label, '?');
    assert.equal(unreadable.tone, 'unreadable');
    assert.match(unreadable.title, /No \\boxed\{\} score found/);
    assert.match(unreadable.ariaLabel, /no score could be read/);
    assert.equal(unreadable.opens, true);
    const zero = chipModel('c1', { index: 1, status: 'done', score: 0, notes: [], evaluation: 'x', issues: [], tokens: 10 });
    assert.equal(zero.tone, 'fail');
    assert.match(zero.ariaLabel, /score 0, incorrect/);
    const running = chipModel('c1', { index: 2, status: 'running', score: null, notes: [], evaluation: '', issues: [], tokens: 0 });
    assert.deepEqual([running.label, running.tone, running.opens, running.key], ['…', 'running', false, 'c1/v2']);
  });

  it('models a finished candidate: chips, mean, best, and the verifications a refinement was shown', () => {
    const view = midRun().view();
    const c1 = cardModel(view, view.candidates[0]!);
    assert.equal(c1.phase, 'done');
    assert.equal(c1.phaseText, 'done');
    assert.equal(c1.mean, '0.625');
    assert.equal(c1.best, true);
    assert.equal(c1.active, false);
    assert.deepEqual(c1.chips.map((chip) => chip.label), ['1', '½', '?', '1']);
    assert.deepEqual(c1.chips.map((chip) => chip.usedBy), [[], ['c4'], ['c4'], []]);
    assert.match(c1.chips[1]!.ariaLabel, /shown to the refinement c4/);
    assert.deepEqual(c1.attempts.map((a) => [a.label, a.detail]), [['Attempt 1', '21,000 tokens']]);
    assert.equal(c1.pendingChips, 0);
  });

  it('models a candidate being verified, with the chips still to come', () => {
    const view = midRun().view();
    const c2 = cardModel(view, view.candidates[1]!);
    assert.equal(c2.phaseText, 'verifying');
    assert.equal(c2.active, true);
    assert.equal(c2.mean, null);
    assert.deepEqual(c2.chips.map((chip) => chip.label), ['0', '…']);
    assert.equal(c2.pendingChips, 2);
  });

  it('shows the reasoning cache: an attempt that ran out of room, its summary, the attempt from it', () => {
    const view = midRun().view();
    const c3 = cardModel(view, view.candidates[2]!);
    assert.equal(c3.phaseText, 'generating');
    assert.deepEqual(
      c3.attempts.map((a) => [a.label, a.detail, a.running]),
      [
        ['Attempt 1', '32,768 tokens · ran out of room', false],
        ['Attempt 2 · from a summary', 'running', true],
      ],
    );
    assert.deepEqual(c3.attempts[0]!.summary, { key: 'c3/s1', label: 'summary · 1,200 tokens', running: false, hasText: true });
    assert.equal(c3.hasProof, false);
    assert.equal(c3.pendingChips, 0);
  });

  it('says the lineage, and why a phase has no running call', () => {
    const j = midRun();
    let view = j.view();
    const c4 = cardModel(view, view.candidates[3]!);
    assert.deepEqual(c4.lineage, { parent: 'c1', text: 'Refined from c1 using its verifications 2 and 3' });
    assert.equal(c4.phaseText, 'queued for generating');
    assert.equal(lineageText({ parent: 'c2', fromVerifications: [4] }), 'Refined from c2 using its verification 4');
    assert.equal(lineageText({ parent: null, fromVerifications: [] }), null);
    // On the parent: what its ringed chips mean.
    assert.equal(cardModel(view, view.candidates[0]!).refinedInto, 'Refined into c4, shown verifications 2 and 3 (ringed)');
    assert.equal(refinedIntoText(j.candidate('c9', 99_000, { round: 2, parent: 'c1', from: [4, 2] }).view(), 'c1'), 'Refined into c4, shown verifications 2 and 3 (ringed); into c9, shown verifications 2 and 4 (ringed)');
    assert.equal(cardModel(view, view.candidates[1]!).refinedInto, null);
    view = j.end(100_000, 'user').view();
    assert.equal(cardModel(view, view.candidates[3]!).phaseText, 'stopped while generating');
  });

  it('says that an attempt gave no proof', () => {
    const j = new JournalWriter(T0, { config: { summaries: 0 } }).start(0).candidate('c1', 0);
    const view = j.done('c1/a1', 1, 2, cutAttempt()).view();
    const model = cardModel(view, view.candidates[0]!);
    assert.equal(model.phaseText, 'no proof');
    assert.equal(model.mean, '0');
    assert.match(model.proofNote!, /ran out of room/);
  });

  it('words the live counters, and finds each call’s candidate', () => {
    assert.equal(liveText(liveCall('c3/a2', T0, 12_345)), 'thinking · 12,345 tokens');
    assert.equal(liveText(liveCall('c3/a2', T0, 12_345, 55)), 'writing · 12,400 tokens');
    const byCandidate = liveByCandidate([liveCall('c2/v2', T0, 1), liveCall('c3/a2', T0, 2), liveCall('c2/v3', T0, 3)]);
    assert.deepEqual([...byCandidate.keys()], ['c2', 'c3']);
    assert.deepEqual(byCandidate.get('c2')!.map((call) => call.key), ['c2/v2', 'c2/v3']);
    assert.deepEqual([850, 3_210, 12_400].map(compactTokens), ['850', '3.2k', '12k']);
  });
});

describe('Deep Prove page: the run’s status and numbers', () => {
  const ended = (reason: 'complete' | 'solved' | 'user' | 'budget' | 'time' | 'error', error?: string) =>
    runStatus(new JournalWriter(T0, { config: { timeLimitMs: 3_600_000 } }).start(0).end(1000, reason, error).view());

  it('words every status and offers Stop while running, Resume after an early end or an interruption', () => {
    const running = runStatus(new JournalWriter(T0).start(0).view());
    assert.deepEqual(running, { text: 'Running · up to 4 calls at a time', tone: 'progress', canStop: true, canResume: false });
    assert.deepEqual(ended('user'), { text: 'Stopped by you', tone: 'neutral', canStop: false, canResume: true });
    assert.equal(ended('budget').text, 'Stopped: the token budget (1,000,000 tokens) is spent');
    assert.equal(ended('budget').canResume, true);
    assert.equal(ended('time').text, 'Stopped: the time limit (1 h 00 min) was reached');
    assert.equal(ended('solved').canResume, false);
    assert.equal(ended('complete').text, 'Complete: every round ran');
    assert.deepEqual(ended('error', 'connect ECONNREFUSED'), { text: 'Failed: connect ECONNREFUSED', tone: 'error', canStop: false, canResume: true });
    // A second start without an end: the first session was interrupted.
    const j = new JournalWriter(T0).start(0);
    const view = j.view();
    view.status = 'interrupted';
    assert.equal(runStatus(view).canResume, true);
    assert.match(runStatus(view).text, /^Interrupted/);
    assert.equal(runStatus(new JournalWriter(T0).view()).text, 'Not started yet');
  });

  it('counts tokens against the budget with the live calls, the speed, elapsed time and an upper bound of what is left', () => {
    const j = midRun();
    const view = j.view();
    const now = T0 + 100_000;
    const live = [liveCall('c2/v2', T0 + 95_100, 3_000), liveCall('c3/a2', T0 + 85_100, 9_000, 400)];
    const numbers = headerNumbers(view, live, now);
    const finished = 21_000 + 4 * 8_000 + 18_000 + 8_000 + 32_768 + 1_200;
    assert.equal(numbers.tokens, finished + 12_400);
    assert.equal(numbers.tokensText, `${(finished + 12_400).toLocaleString('en-US')} / 1,000,000 tokens`);
    assert.equal(numbers.elapsed, '1 min 40 s elapsed');
    assert.match(numbers.speed!, /^[\d,]+\.\d tok\/s$/);
    assert.match(numbers.left!, /^up to (\d+ h \d\d min|\d+ min|less than a minute) left$/);
    assert.equal(numbers.calls, '9 calls done');
    // Ended: no speed and nothing left to estimate; live calls are not counted.
    const done = headerNumbers(j.end(100_000, 'user').view(), live, now);
    assert.equal(done.tokens, finished);
    assert.equal(done.speed, undefined);
    assert.equal(done.left, undefined);
  });

  it('never says more is left than the time limit allows', () => {
    const view = midRun().view();
    view.timeLimitMs = 100_000 + 2 * 60_000;
    assert.equal(headerNumbers(view, [], T0 + 100_000).left, 'up to 2 min left');
  });

  it('formats durations and round names', () => {
    assert.deepEqual([0, 45_000, 725_000, 3_720_000].map(duration), ['0 s', '45 s', '12 min 05 s', '1 h 02 min']);
    assert.deepEqual([20_000, 725_000, 3_720_000].map(roughDuration), ['less than a minute', '12 min', '1 h 02 min']);
    assert.deepEqual([0, 1, 2].map(roundLabel), ['Pool', 'Refinement 1', 'Refinement 2']);
  });

  it('says what is happening before any candidate is fully verified', () => {
    const j = new JournalWriter(T0).start(0).candidate('c1', 1).candidate('c2', 1).candidate('c3', 1);
    j.call('c1/a1', 2).call('c2/a1', 2).done('c3/a1', 2, 50, proofAnswer('P.')).call('c3/v1', 60);
    assert.equal(
      bestPlaceholder(j.view()),
      'No proof is fully verified yet (a proof counts once all 4 of its verifications are in). 2 candidates are being written; 1 is being verified.',
    );
    assert.equal(bestPlaceholder(new JournalWriter(T0).start(0).view()), 'No proof yet: the first candidates are being started.');
    assert.equal(bestPlaceholder(j.end(100, 'user').view()), 'No proof was fully verified before the run ended.');
  });
});

describe('runEstimate of an interrupted run', () => {
  it('counts the interrupted session up to its last entry', () => {
    const j = new JournalWriter(T0).start(0).candidate('c1', 10).done('c1/a1', 20, 90_000, proofAnswer('P.'));
    const view = j.view();
    view.status = 'interrupted';
    assert.equal(headerNumbers(view, [], T0 + 500_000).elapsed, '1 min 30 s elapsed');
  });
});
