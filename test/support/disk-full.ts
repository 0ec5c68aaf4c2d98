/**
 * Shared by test/run/disk-full.test.ts and test/torture/disk-full.test.ts: a tiny run with one
 * write operation refused (test/support/fs-faults.ts), and every promise about what it leaves.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../../src/core/errors.js';
import { tempFiles, withFsFaults } from './fs-faults.js';
import { resumeTiny, runTiny, tensorsBin, tinyConfig, trajectory } from '../train/harness.js';

export const config = tinyConfig({ train: { steps: 6, checkpoint_every: 2, keep_checkpoints: 2 } });
export const CODES = ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES'] as const;

/** Runs the tiny config with write operation `at` refused; checks every promise; returns what happened. */
export async function refusedRun(tmp: string, label: string, at: number, code: string, twin: string): Promise<string> {
  const dir = join(tmp, label);
  const out = await withFsFaults(dir, { at, code }, () => runTiny(tmp, label, config));
  const where = `${label} (write #${at} ${out.injected?.op} ${out.injected?.path} → ${code})`;
  assert.ok(out.injected, `${where}: the fault was injected`);
  const err = out.error;
  if (err !== undefined) {
    // refused while the run folder was set up: the command throws, cli/main.ts prints the message and exits 5
    assert.ok(err instanceof StorageError, `${where}: ${String((err as Error)?.stack ?? err)}`);
    assert.equal(err.exitCode, 5);
    assert.ok(err.message.includes(dir), `${where}: names a path in the run folder: ${err.message}`);
  } else {
    const r = out.result!;
    assert.equal(r.code, 5, `${where}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, where);
    assert.match(r.stderr, new RegExp(`(DISK_FULL|NOT_WRITABLE): cannot write ${dir}`), where);
  }
  assert.deepEqual(tempFiles(dir), [], `${where}: no temp file is left`);
  if (existsSync(join(dir, 'status'))) assert.equal(readFileSync(join(dir, 'status'), 'utf8').trim(), 'failed', where);
  if (existsSync(join(dir, 'summary.json'))) {
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { status: string; error?: { code: string; message: string } };
    assert.equal(s.status, 'failed', where);
    assert.match(s.error?.code ?? '', /^(DISK_FULL|NOT_WRITABLE)$/, where);
  }
  if (existsSync(join(dir, 'config.yaml'))) {
    // the disk has room again: the run resumes from its newest complete checkpoint to the twin's bits
    const again = await resumeTiny(tmp, dir);
    assert.equal(again.code, 0, `${where}: resume: ${again.stderr}`);
    assert.deepEqual(trajectory(dir), trajectory(twin), `${where}: same trajectory as the twin`);
    assert.ok(tensorsBin(dir, 6).equals(tensorsBin(twin, 6)), `${where}: same final weights and optimizer state`);
  }
  return where;
}

