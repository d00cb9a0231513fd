/**
 * Deep Prove's orchestration against a fake model that answers by what it is asked (attempt,
 * refinement, verification, summary) and by the call's seed, never by timing: the calls a run
 * makes, its choices between rounds, its limits, Stop, failures, and resume from any point.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallSlots } from '../../src/core/deepProve/callSlots';
import { DEFAULT_CONFIG, type DeepProveConfig } from '../../src/core/deepProve/config';
import { callSeed, DeepProveRun, type DeepProveDeps } from '../../src/core/deepProve/deepProveRun';
import { parseJournal, type CallEntry, type RunJournal } from '../../src/core/deepProve/journal';
import { FileJournal, JOURNAL_FILE } from '../../src/core/deepProve/journalFile';
import type { RunView } from '../../src/core/deepProve/runView';
import { FakeProver, solution, verdict, type FakeCall, type Reply } from '../helpers/fakeProver';
import { MemoryJournal } from '../helpers/deepJournal';

const STATEMENT = 'Prove that $n^2 + n$ is even for every integer $n$.';

function newJournal(config: Partial<DeepProveConfig> = {}, seed = 11): MemoryJournal {
  return new MemoryJournal([{ type: 'run', version: 1, runId: 'run-1', createdAt: 1000, title: 'Lemma 1', statement: STATEMENT, config: { ...DEFAULT_CONFIG, ...config }, seed }]);
}

function run(journal: RunJournal, backend: FakeProver, options: Partial<DeepProveDeps> = {}): DeepProveRun {
  return new DeepProveRun({ backend, journal, slots: new CallSlots(4), ...options });
}

const calls = (journal: RunJournal) => journal.entries.filter((entry): entry is CallEntry => entry.type === 'call');
const keys = (journal: RunJournal) => calls(journal).map((entry) => entry.key);

/** The proof a candidate's attempt wrote: each names its seed, so resumed runs can be compared. */
const proofFor = (call: FakeCall) => `Proof ${call.request.seed}: $n^2+n = n(n+1)$.`;

/** Scores by a verification's seed: a fixed but varied pool, readable and not. */
function seededScores(call: FakeCall): Reply {
  if (call.kind !== 'verify') return { reasoning: `think ${call.request.seed}`, content: solution(proofFor(call)) };
  const score = ([0, 0.5, 1, null, 0.5] as const)[call.request.seed! % 5]!;
  return { reasoning: 'check', content: verdict(score, `Evaluation ${call.request.seed}.`) };
}

/** What a finished run decided: enough to tell two runs apart. */
function outcome(view: RunView) {
  return {
    best: view.best,
    end: view.end?.reason,
    candidates: view.candidates.map((c) => ({ id: c.id, parent: c.parent, round: c.round, from: c.fromVerifications, proof: c.proof, scores: c.verifications.map((v) => v.score), mean: c.mean })),
  };
}

describe('Deep Prove run', () => {
  it('makes the method’s calls for pool 4 / 4 verifications / 2 rounds, each phase after the last', async () => {
    const journal = newJournal();
    const backend = new FakeProver((call) => (call.kind === 'verify' ? { content: verdict(0.5) } : { content: solution(proofFor(call)) }));
    const view = await run(journal, backend, { slots: new CallSlots(1) }).run();
    // One call at a time, first come first served: a phase's attempts, then their verifications.
    const phase = (ids: string[]) => [...ids.map((id) => `${id}/a1`), ...ids.flatMap((id) => [1, 2, 3, 4].map((k) => `${id}/v${k}`))];
    const expected = [...phase(['c1', 'c2', 'c3', 'c4']), ...phase(['c5', 'c6', 'c7', 'c8']), ...phase(['c9', 'c10', 'c11', 'c12'])];
    assert.deepEqual(keys(journal), expected);
    assert.deepEqual(backend.calls.map((call) => call.kind), expected.map((key) => (!key.endsWith('/a1') ? 'verify' : Number(key.slice(1, key.indexOf('/'))) > 4 ? 'refinement' : 'attempt')));
    assert.equal(view.end?.reason, 'complete');
    assert.equal(view.calls, 60);
    assert.deepEqual(view.candidates.map((c) => [c.id, c.round, c.parent]), [
      ['c1', 0, null], ['c2', 0, null], ['c3', 0, null], ['c4', 0, null],
      ['c5', 1, 'c1'], ['c6', 1, 'c2'], ['c7', 1, 'c3'], ['c8', 1, 'c4'],
      ['c9', 2, 'c1'], ['c10', 2, 'c2'], ['c11', 2, 'c3'], ['c12', 2, 'c4'],
    ]);
    // Method's sampling, a distinct seed per call.
    const requests = calls(journal).map((entry) => entry.request);
    assert.ok(requests.every((request) => request.temperature === 0.8 && request.topP === 1 && request.maxTokens === undefined));
    assert.equal(new Set(requests.map((request) => request.seed)).size, 60);
  });

  it('keeps up to its capacity of calls in flight, and starts each round only after the last one ended', async () => {
    const journal = newJournal();
    const backend = new FakeProver((call) => (call.kind === 'verify' ? { content: verdict(0.5) } : { content: solution(proofFor(call)) }));
    await run(journal, backend, { slots: new CallSlots(3) }).run();
    assert.equal(backend.maxActive, 3);
    const order = keys(journal);
    const lastOf = (ids: string[]) => Math.max(...ids.flatMap((id) => order.flatMap((key, index) => (key.startsWith(`${id}/`) ? [index] : []))));
    const firstOf = (ids: string[]) => Math.min(...ids.flatMap((id) => order.flatMap((key, index) => (key.startsWith(`${id}/`) ? [index] : []))));
    assert.ok(lastOf(['c1', 'c2', 'c3', 'c4']) < firstOf(['c5', 'c6', 'c7', 'c8']));
    assert.ok(lastOf(['c5', 'c6', 'c7', 'c8']) < firstOf(['c9', 'c10', 'c11', 'c12']));
    // A candidate's verifications start as soon as its proof is in, while others still generate.
    const at = (type: string, key: string) => journal.entries.findIndex((entry) => entry.type === type && 'key' in entry && entry.key === key);
    assert.ok(at('call', 'c1/v1') < at('result', 'c4/a1'));
  });

  it('stops early once a candidate averages 1, at the start of a round', async () => {
    const journal = newJournal();
    const backend = new FakeProver((call) => {
      if (call.kind !== 'verify') return { content: solution(call.kind === 'refinement' ? 'refined' : proofFor(call)) };
      // Refined proofs are perfect; the first pool is not.
      return { content: verdict(call.prompt.includes('## Solution\n\nrefined') ? 1 : 0.5) };
    });
    const view = await run(journal, backend).run();
    assert.equal(view.end?.reason, 'solved');
    assert.equal(view.candidates.length, 8, 'one refinement round, then solved: no second round');
    assert.deepEqual(view.best, { id: 'c5', mean: 1 });

    const first = newJournal();
    const perfect = new FakeProver((call) => ({ content: call.kind === 'verify' ? verdict(call.prompt.includes('Proof ') && call.prompt.includes(`Proof ${seedOfCandidate(first, 'c2')}:`) ? 1 : 0) : solution(proofFor(call)) }));
    const solvedAtOnce = await run(first, perfect).run();
    assert.equal(solvedAtOnce.end?.reason, 'solved');
    assert.equal(solvedAtOnce.candidates.length, 4);
    assert.deepEqual(solvedAtOnce.best, { id: 'c2', mean: 1 });
  });

  it('refines the best of the whole pool, as many as the pool size (ties: the earlier), with each one’s 2 lowest verifications (ties: the earlier; unreadable after readable zeros)', async () => {
    // Scores per candidate, in verification order; means c1 .5, c2 .5, c3 .25, c4 .75, c5 .5 (pool size 5).
    const scores: Record<string, (0 | 0.5 | 1 | null)[]> = {
      c1: [1, 0, 0.5, 0.5],
      c2: [0.5, 0.5, 0.5, 0.5],
      c3: [null, 0, 0, 1],
      c4: [1, 1, 0.5, 0.5],
      c5: [0, 1, 0, 1],
    };
    const journal = newJournal({ poolSize: 5, rounds: 1 });
    const proofs = new Map<string, string>();
    const backend = new FakeProver((call) => {
      if (call.kind !== 'verify') return { content: solution(`proof-${call.request.seed}`) };
      const id = [...proofs].find(([, proof]) => call.prompt.includes(`## Solution\n\n${proof}`))?.[0];
      if (!id || !scores[id]) return { content: verdict(0) };
      const index = calls(journal).filter((entry) => entry.key.startsWith(`${id}/v`)).length - 1;
      return { content: verdict(scores[id][index]!, `Evaluation ${id}/v${index + 1}.`) };
    });
    // Learn each candidate's proof as its attempt ends (the verifier is told apart by proof).
    const listening = new DeepProveRun({ backend, journal, slots: new CallSlots(1) }, {
      changed: (view) => {
        for (const candidate of view.candidates) if (candidate.proof) proofs.set(candidate.id, candidate.proof);
      },
    });
    const view = await listening.run();
    const refinements = view.candidates.filter((c) => c.round === 1);
    // Means: c4 .75; c1, c2, c5 .5 (in that order); c3 .25. A round refines as many as the pool holds.
    // c3's lowest two are its readable zeros (v2, v3), not the unreadable v1.
    assert.deepEqual(refinements.map((c) => [c.id, c.parent, c.fromVerifications]), [
      ['c6', 'c4', [3, 4]],
      ['c7', 'c1', [2, 3]],
      ['c8', 'c2', [1, 2]],
      ['c9', 'c5', [1, 3]],
      ['c10', 'c3', [2, 3]],
    ]);
    // The refinement prompt holds the parent's proof and exactly those evaluations, in that order.
    const c7 = backend.calls.find((call) => call.kind === 'refinement' && call.prompt.includes(proofs.get('c1')!))!;
    assert.match(c7.prompt, /### Verification 1 ###\n\n[^]*Evaluation c1\/v2\.[^]*### Verification 2 ###\n\n[^]*Evaluation c1\/v3\./);
    assert.doesNotMatch(c7.prompt, /Evaluation c1\/v[14]\./);
  });

  it('keeps an unreadable verification as no score, with the verifier’s note, and counts it 0 in the mean as the method does', async () => {
    const journal = newJournal({ poolSize: 1, verifications: 2, rounds: 0 });
    let verification = 0;
    const backend = new FakeProver((call) => (call.kind === 'verify' ? { content: verdict(verification++ === 0 ? 1 : null) } : { content: solution('p') }));
    const view = await run(journal, backend).run();
    const [candidate] = view.candidates;
    assert.deepEqual(candidate!.verifications.map((v) => v.score), [1, null]);
    assert.deepEqual(candidate!.verifications[1]!.notes, ['No \\boxed{} score found']);
    assert.equal(candidate!.mean, 0.5);
  });

  it('gives the verifier only the proof: not the thinking, not the self-evaluation', async () => {
    const journal = newJournal({ poolSize: 1, verifications: 1, rounds: 0 });
    const backend = new FakeProver((call) => (call.kind === 'verify' ? { content: verdict(1) } : { reasoning: 'SECRET THINKING', content: solution('THE PROOF', 1) }));
    await run(journal, backend).run();
    const verify = backend.calls.find((call) => call.kind === 'verify')!;
    assert.match(verify.prompt, /## Solution\n\nTHE PROOF$/);
    assert.doesNotMatch(verify.prompt, /SECRET THINKING|Self Evaluation|I checked every step/);
  });

  it('summarises an attempt that ran out of room and starts the next from the summary, carrying summaries forward, up to its limit', async () => {
    const journal = newJournal({ poolSize: 1, verifications: 1, rounds: 0, summaries: 2, maxTokensPerCall: 50 });
    let summary = 0;
    const backend = new FakeProver((call) => {
      if (call.kind === 'summary') return { reasoning: 'sum', content: `SUMMARY ${++summary}` };
      if (call.kind === 'verify') return { content: verdict(0) };
      return { reasoning: `long thinking ${call.prompt.includes('SUMMARY') ? 'after' : 'before'}`, finish: 'length' };
    });
    const view = await run(journal, backend).run();
    assert.deepEqual(backend.calls.map((call) => call.kind), ['attempt', 'summary', 'attempt', 'summary', 'attempt']);
    const [attempt1, summary1, attempt2, summary2, attempt3] = backend.calls;
    assert.doesNotMatch(attempt1!.prompt, /Summary of Your Previous Attempt/);
    assert.match(summary1!.prompt, /### Earlier Summary\n\n\[No earlier summary\][^]*### Latest Attempt\n\nlong thinking before/);
    assert.match(attempt2!.prompt, /## Summary of Your Previous Attempt[^]*SUMMARY 1/);
    assert.match(summary2!.prompt, /### Earlier Summary\n\nSUMMARY 1[^]*### Latest Attempt\n\nlong thinking after/);
    assert.match(attempt3!.prompt, /SUMMARY 2/);
    assert.doesNotMatch(attempt3!.prompt, /SUMMARY 1/);
    // The summariser has a bounded room and is asked for its summary halfway.
    assert.equal(summary1!.request.maxTokens, 50);
    // Out of restarts with no proof: the candidate scores 0 without a verification.
    const [candidate] = view.candidates;
    assert.equal(candidate!.phase, 'no-proof');
    assert.equal(candidate!.mean, 0);
    assert.deepEqual(candidate!.attempts.map((a) => [a.index, a.finishReason, a.summary?.text]), [[1, 'length', 'SUMMARY 1'], [2, 'length', 'SUMMARY 2'], [3, 'length', undefined]]);
    assert.equal(view.end?.reason, 'complete');
  });

  it('stops cleanly at its token budget, and a resume with a larger budget finishes the run', async () => {
    const journal = newJournal({ tokenBudget: 300 });
    const backend = new FakeProver((call) => (call.kind === 'verify' ? { content: verdict(0.5), tokens: 40 } : { content: solution(proofFor(call)), tokens: 60 }));
    const view = await run(journal, backend).run();
    assert.equal(view.end?.reason, 'budget');
    assert.equal(view.status, 'ended');
    assert.ok(view.tokens < 300 + 4 * 60, `${view.tokens} tokens`);
    const last = journal.entries.at(-1)!;
    assert.equal(last.type, 'end');
    const finished = new Set(journal.entries.flatMap((entry) => (entry.type === 'result' ? [entry.key] : [])));
    const resumedBackend = new FakeProver(backend['reply' as never]);
    const resumed = await run(journal, resumedBackend, { tokenBudget: 100_000 }).run();
    assert.equal(resumed.end?.reason, 'complete');
    assert.ok(resumedBackend.calls.length > 0);
    const secondSession = calls(journal).slice(calls(journal).length - resumedBackend.calls.length);
    assert.ok(secondSession.every((entry) => !finished.has(entry.key)), 'no finished call is made again');
    assert.equal(resumed.calls, 60);
  });

  it('stops at its time limit, measured over all its sessions', async () => {
    let now = 0;
    const journal = newJournal({ timeLimitMs: 1000 });
    const backend = new FakeProver((call) => {
      now += 100; // every call takes 100 ms of the run's time
      return call.kind === 'verify' ? { content: verdict(0.5) } : { content: solution(proofFor(call)) };
    });
    const view = await run(journal, backend, { now: () => now }).run();
    assert.equal(view.end?.reason, 'time');
    assert.ok(view.activeMs >= 1000 && view.activeMs <= 1500, `${view.activeMs} ms`);
    assert.ok(view.calls < 60);
  });

  it('Stop ends the calls in flight and keeps the finished ones; Resume repeats none of them', async () => {
    const journal = newJournal();
    const reply = (call: FakeCall): Reply => (call.kind === 'verify' ? { content: verdict(0.5) } : { content: solution(proofFor(call)) });
    const backend = new FakeProver(reply);
    const deepRun = new DeepProveRun({ backend, journal, slots: new CallSlots(4) }, {
      changed: (view) => {
        if (view.calls === 10) void deepRun.stop();
      },
    });
    const stopped = await deepRun.run();
    assert.equal(stopped.end?.reason, 'user');
    assert.equal(backend.active, 0, 'no call left streaming');
    const finished = new Set(journal.entries.flatMap((entry) => (entry.type === 'result' ? [entry.key] : [])));
    assert.ok(finished.size >= 10 && finished.size < 60);
    const again = new FakeProver(reply);
    const resumed = await run(journal, again).run();
    assert.equal(resumed.end?.reason, 'complete');
    assert.equal(again.calls.length, 60 - finished.size);
  });

  it('ends with the backend’s error when a call fails, and resumes from there', async () => {
    const journal = newJournal({ poolSize: 2, verifications: 2, rounds: 1 });
    let failed = false;
    const backend = new FakeProver((call) => {
      if (call.kind === 'verify' && !failed) {
        failed = true;
        return { content: 'half an evaluation', fail: 'The local engine stopped (exit code 9).' };
      }
      return call.kind === 'verify' ? { content: verdict(0.5) } : { content: solution(proofFor(call)) };
    });
    const view = await run(journal, backend).run();
    assert.equal(view.end?.reason, 'error');
    assert.equal(view.end?.error, 'The local engine stopped (exit code 9).');
    const resumed = await run(journal, backend).run();
    assert.equal(resumed.end?.reason, 'complete');
    assert.equal(resumed.calls, 12);
  });

  it('resumed from its journal cut at any entry, ends with the same pool as a run never interrupted', async function () {
    this.timeout(120_000);
    const whole = newJournal();
    const uninterrupted = await run(whole, new FakeProver(seededScores)).run();
    assert.equal(uninterrupted.candidates.length, 12);
    const expected = outcome(uninterrupted);
    for (let cut = 1; cut < whole.entries.length; cut++) {
      const journal = new MemoryJournal(whole.entries.slice(0, cut));
      const finished = new Set(journal.entries.flatMap((entry) => (entry.type === 'result' ? [entry.key] : [])));
      const backend = new FakeProver(seededScores);
      const resumed = await run(journal, backend).run();
      assert.deepEqual(outcome(resumed), expected, `cut after entry ${cut}`);
      const redone = calls(journal).slice(calls(journal).length - backend.calls.length);
      assert.ok(redone.every((entry) => !finished.has(entry.key)), `cut after entry ${cut}: a finished call was made again`);
    }
  });

  it('resumes from a journal file whose last line was cut short mid-write', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'qed-journal-'));
    try {
      const whole = newJournal({ poolSize: 2, verifications: 2, rounds: 1 });
      const expected = outcome(await run(whole, new FakeProver(seededScores)).run());
      const text = whole.entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
      // Cut inside the 9th line.
      const lineStarts = [...text.matchAll(/\n/g)].map((match) => match.index + 1);
      const torn = text.slice(0, lineStarts[8]! + 25);
      writeFileSync(join(folder, JOURNAL_FILE), torn);
      const journal = await FileJournal.open(folder);
      assert.equal(journal.entries.length, 9);
      const resumed = await run(journal, new FakeProver(seededScores)).run();
      assert.deepEqual(outcome(resumed), expected);
      // The file now reads back whole: the torn line is gone, every entry is on its own line.
      const reread = parseJournal(readFileSync(join(folder, JOURNAL_FILE), 'utf8'));
      assert.equal(reread.length, journal.entries.length);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

/** The seed of a candidate's first attempt, as the run derives it. */
function seedOfCandidate(journal: MemoryJournal, id: string): number {
  const run = journal.entries[0]!;
  return callSeed(run.type === 'run' ? run.seed : 0, `${id}/a1`);
}
