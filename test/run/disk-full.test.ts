/**
 * A disk that refuses a write (full, over quota, read-only, no permission) anywhere in a run —
 * setting up the folder, metrics, log, checkpoints, pruning, the summary — is a clean StorageError
 * with exit 5 naming the path; the run is marked failed where that still fits, no temp file is left,
 * and once the disk takes writes again the run resumes to the bits of an uninterrupted twin.
 * Injected in-process (test/support/fs-faults.ts) at a spread of the run's write operations; the
 * torture suite (test/torture/disk-full.test.ts) does every one of them, and a real full tmpfs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { withTmpDir } from '../support/tmp-dir.js';
import { withFsFaults } from '../support/fs-faults.js';
import { CODES, config, refusedRun } from '../support/disk-full.js';
import { runTiny } from '../train/harness.js';

test('a refused write anywhere in a run: exit 5 naming the path, marked failed, no temp files, resumable to the twin', async () => {
  await withTmpDir(async (tmp) => {
    const counted = await withFsFaults(join(tmp, 'twin'), undefined, () => runTiny(tmp, 'twin', config));
    assert.equal(counted.result?.code, 0, String(counted.error));
    const n = counted.ops;
    assert.ok(n > 30, `a run makes many write operations (${n})`);
    const picks = [...new Set([0, 1, 2, 3, 4, 6, 9, Math.floor(n / 4), Math.floor(n / 2), Math.floor((3 * n) / 4), n - 3, n - 2, n - 1])];
    for (const [i, at] of picks.entries()) await refusedRun(tmp, `f${at}`, at, CODES[i % CODES.length]!, join(tmp, 'twin'));
  });
});
