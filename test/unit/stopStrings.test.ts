import assert from 'node:assert/strict';
import { StopStrings } from '../../src/engine/stopStrings';

/** Feeds `chunks` and returns what was passed on, and whether it stopped. */
function run(stops: string[], chunks: string[]): { text: string; stopped: boolean } {
  const matcher = new StopStrings(stops);
  let text = '';
  for (const chunk of chunks) text += matcher.push(chunk);
  if (!matcher.stopped) text += matcher.end();
  return { text, stopped: matcher.stopped };
}

describe('StopStrings', () => {
  it('passes everything on when no stop string appears', () => {
    assert.deepEqual(run(['STOP'], ['Let ', 'n be ST', 'even. S', 'T']), { text: 'Let n be STeven. ST', stopped: false });
    assert.deepEqual(run([], ['a', 'b']), { text: 'ab', stopped: false });
  });

  it('ends before the stop string, wherever the chunks are cut', () => {
    const text = 'Let n = 2k. Hence n^2 = 4k^2. QED and more';
    for (let cut = 0; cut <= text.length; cut++) {
      for (const size of [1, 2, 3, 7]) {
        const chunks = [text.slice(0, cut)];
        for (let at = cut; at < text.length; at += size) chunks.push(text.slice(at, at + size));
        assert.deepEqual(run(['QED'], chunks), { text: 'Let n = 2k. Hence n^2 = 4k^2. ', stopped: true }, `cut ${cut}, size ${size}`);
      }
    }
  });

  it('never passes on a part of a stop string, and releases a false start at once', () => {
    const matcher = new StopStrings(['</proof>']);
    assert.equal(matcher.push('done </pro'), 'done ');
    assert.equal(matcher.push('blem'), '</problem');
    assert.equal(matcher.push(' </'), ' ');
    assert.equal(matcher.push('proof> tail'), '');
    assert.equal(matcher.stopped, true);
    assert.equal(matcher.push('more'), '');
  });

  it('stops at the earliest of several strings, even one that overlaps another', () => {
    assert.deepEqual(run(['bc', 'abcd'], ['xa', 'bcd']), { text: 'x', stopped: true });
    assert.deepEqual(run(['\n\n', 'Proof'], ['A.\nProof: ', 'B\n\n']), { text: 'A.\n', stopped: true });
    assert.deepEqual(run(['aab'], ['aaa', 'ab']), { text: 'aa', stopped: true });
  });

  it('hands back the held tail at the end when it began no stop string', () => {
    const matcher = new StopStrings(['END']);
    assert.equal(matcher.push('the EN'), 'the ');
    assert.equal(matcher.end(), 'EN');
  });
});
