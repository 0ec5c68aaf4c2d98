/**
 * The stop contract of `run` and `resume` (cli/main.ts aborts ctx.signal on the first SIGINT or
 * SIGTERM, with the signal's name as the reason): the session checkpoints, ends `interrupted` with
 * exit 130, and a resume finishes the same trajectory as an uninterrupted twin. A signal that
 * arrives before training starts leaves no run folder.
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/commands/run.js';
import { resume } from '../../src/commands/resume.js';
import { InterruptedError } from '../../src/core/errors.js';
import { compareMetrics } from '../../src/expect/compare-runs.js';
import { readMetrics, readStatus, requireSummary } from '../../src/run/run-folder.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext, repoRoot } from '../sweep/helpers.js';

const tiny = join(repoRoot, 'configs/test/tiny-moons.yaml');
const overrides = ['train.epochs=6', 'train.checkpoint_every=7', 'train.log_every=5', 'train.eval_every=30'];

test('an aborted signal checkpoints and stops a run; resume finishes it like an uninterrupted twin', async () => {
  await withTmpDir(async (dir) => {
    const twin = captureContext(dir);
    assert.equal(await run({ config: tiny, overrides, runDir: 'twin', quiet: true }, twin.ctx), 0, twin.err());

    const cut = captureContext(dir);
    const code = await run({ config: tiny, overrides, runDir: 'cut' }, { ...cut.ctx, onStepEnd: (step) => { if (step === 10) cut.abort.abort('SIGINT'); } });
    assert.equal(code, 130, cut.err());
    assert.match(cut.err(), /SIGINT: checkpointing and stopping \(again to abort\)/);
    assert.match(cut.err(), /resume with: minima resume /);
    assert.equal(readStatus(join(dir, 'cut')), 'interrupted');
    const summary = requireSummary(join(dir, 'cut'));
    assert.deepEqual([summary.status, summary.steps, summary.error?.code, summary.error?.message], ['interrupted', 10, 'INTERRUPTED', 'interrupted by SIGINT']);
    assert.ok(readdirSync(join(dir, 'cut', 'checkpoints')).includes('step-000010'), 'checkpointed where it stopped');

    const again = captureContext(dir);
    assert.equal(await resume({ runDir: 'cut', quiet: true }, again.ctx), 0, again.err());
    assert.equal(readStatus(join(dir, 'cut')), 'completed');
    const report = compareMetrics(readMetrics(join(dir, 'cut')), readMetrics(join(dir, 'twin')), { rtol: 0, atol: 0, metrics: [], ignore: [] });
    assert.ok(report.ok, JSON.stringify(report.first));
  });
});

test('a signal before training starts: run leaves no folder, resume leaves the folder as it was', async () => {
  await withTmpDir(async (dir) => {
    const early = captureContext(dir);
    early.abort.abort('SIGTERM');
    await assert.rejects(run({ config: tiny, overrides, runDir: 'never', quiet: true }, early.ctx), (e: unknown) => e instanceof InterruptedError && e.exitCode === 130 && /SIGTERM/.test(e.message));
    assert.equal(existsSync(join(dir, 'never')), false);

    const first = captureContext(dir);
    await run({ config: tiny, overrides, runDir: 'r', quiet: true }, { ...first.ctx, onStepEnd: (step) => { if (step === 8) first.abort.abort('SIGINT'); } });
    const before = readFileSync(join(dir, 'r', 'metrics.jsonl'), 'utf8');
    await assert.rejects(resume({ runDir: 'r', quiet: true }, early.ctx), InterruptedError);
    assert.equal(readStatus(join(dir, 'r')), 'interrupted');
    assert.equal(readFileSync(join(dir, 'r', 'metrics.jsonl'), 'utf8'), before);
  });
});
