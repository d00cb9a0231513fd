/** What a model download tells its user (src/core/download.ts): disk room, speed, progress text. */
import * as assert from 'node:assert/strict';
import { diskSpaceProblem, DISK_RESERVE_BYTES, downloadProgressText, formatTimeLeft, TransferRate } from '../../src/core/download';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('model downloads', () => {
  it('needs room for what is missing plus a reserve, and says how much is missing', () => {
    assert.equal(diskSpaceProblem(2.3 * GiB, 10 * GiB, '/storage/models'), undefined);
    assert.equal(diskSpaceProblem(2.3 * GiB, 2.3 * GiB + DISK_RESERVE_BYTES, '/storage/models'), undefined);
    assert.equal(
      diskSpaceProblem(2.3 * GiB, 2.5 * GiB, '/storage/models'),
      'not enough disk space in /storage/models: the download needs 2.3 GiB more and 2.5 GiB is free (QED keeps 512 MiB spare); free some space, or delete models you do not use (QED: Choose Model… → Manage downloaded models)',
    );
    assert.equal(diskSpaceProblem(0, 100 * MiB, '/d')?.startsWith('not enough disk space in /d: the download needs 0 B more'), true, 'a resumed download that is complete still keeps the reserve');
  });

  it('measures the speed over the last seconds, not since the start', () => {
    const rate = new TransferRate(5000);
    assert.equal(rate.add(0, 0), undefined);
    assert.equal(rate.add(10 * MiB, 1000), 10 * MiB);
    for (let second = 2; second <= 10; second++) rate.add(10 * MiB + (second - 1) * MiB, second * 1000); // slows to 1 MiB/s
    const speed = rate.bytesPerSecond()!;
    assert.ok(Math.abs(speed - MiB) < 0.01 * MiB, `${speed / MiB} MiB/s, not the average since the start`);
    rate.add(19 * MiB, 20_000); // stalled for 10 s
    assert.ok(rate.bytesPerSecond()! < 0.2 * MiB);
  });

  it('shows bytes, speed and time left once the speed is known', () => {
    assert.equal(downloadProgressText(0, 2.3 * GiB, undefined), '0 B of 2.3 GiB');
    assert.equal(downloadProgressText(1.2 * GiB, 2.3 * GiB, 11 * MiB), '1.2 GiB of 2.3 GiB · 11.0 MiB/s · 2 min left');
    assert.equal(downloadProgressText(1.2 * GiB, 2.3 * GiB, 0), '1.2 GiB of 2.3 GiB · 0 B/s');
  });

  it('rounds the time left up', () => {
    assert.equal(formatTimeLeft(0.2), '1 s');
    assert.equal(formatTimeLeft(59.5), '60 s');
    assert.equal(formatTimeLeft(61), '2 min');
    assert.equal(formatTimeLeft(2 * 3600 + 13 * 60), '2 h 13 min');
  });
});
