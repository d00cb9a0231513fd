import assert from 'node:assert/strict';
import { spanAfterEdit, spanAfterEdits } from '../../src/core/spanEdits';

describe('spanAfterEdit', () => {
  const span = { start: 10, end: 20 };

  it('moves with edits before it', () => {
    assert.deepEqual(spanAfterEdit(span, { offset: 2, removed: 0, inserted: 5 }), { start: 15, end: 25 });
    assert.deepEqual(spanAfterEdit(span, { offset: 2, removed: 3, inserted: 0 }), { start: 7, end: 17 });
    assert.deepEqual(spanAfterEdit(span, { offset: 10, removed: 0, inserted: 4 }), { start: 14, end: 24 }, 'typing right before it');
    assert.deepEqual(spanAfterEdit(span, { offset: 5, removed: 5, inserted: 1 }), { start: 6, end: 16 }, 'a deletion ending at its start');
  });

  it('stays put for edits after it', () => {
    assert.deepEqual(spanAfterEdit(span, { offset: 20, removed: 0, inserted: 3 }), span);
    assert.deepEqual(spanAfterEdit(span, { offset: 30, removed: 10, inserted: 0 }), span);
  });

  it('is dropped when its own text is edited', () => {
    assert.equal(spanAfterEdit(span, { offset: 15, removed: 0, inserted: 1 }), null);
    assert.equal(spanAfterEdit(span, { offset: 5, removed: 10, inserted: 0 }), null, 'a deletion reaching into it');
    assert.equal(spanAfterEdit(span, { offset: 19, removed: 5, inserted: 0 }), null, 'a deletion starting inside it');
    assert.equal(spanAfterEdit(span, { offset: 0, removed: 100, inserted: 2 }), null, 'a replacement of everything');
  });

  it('applies edits in sequence', () => {
    const edits = [
      { offset: 0, removed: 0, inserted: 2 },
      { offset: 40, removed: 1, inserted: 0 },
      { offset: 3, removed: 1, inserted: 0 },
    ];
    assert.deepEqual(spanAfterEdits(span, edits), { start: 11, end: 21 });
    assert.equal(spanAfterEdits(span, [...edits, { offset: 12, removed: 1, inserted: 1 }]), null);
  });
});
