import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sweep } from '../../src/commands/sweep.js';
import { sweepSummary } from '../../src/commands/sweep-summary.js';
import { sweepStatus } from '../../src/commands/sweep-status.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from '../sweep/helpers.js';
import { fakeResolve, FAKE_BIN } from '../sweep/fixtures/fake-config.js';

const GRID = 'name: grid12\nbase: base.yaml\ngrid:\n  optimizer.name: [sgd, adamw]\n  optimizer.lr: [0.1, 0.5]\nseeds: [0, 1, 2]\n';
const fake = { resolveConfig: fakeResolve, binPath: FAKE_BIN, pollMs: 20 };

function trialsJsonl(dir: string): { id: string; status: string; run_dir: string; index: number }[] {
  return readFileSync(join(dir, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

test('dry-run lists every trial with its id and what differs from the base, and writes nothing', async () => {
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 'grid.yaml'), GRID);
    const c = captureContext(tmp);
    assert.equal(await sweep({ sweep: 'grid.yaml', dryRun: true, ...fake }, c.ctx), 0);
    const lines = c.out().trim().split('\n');
    assert.equal(lines[0], 'sweep grid12: 12 trials = optimizer.name (2) × optimizer.lr (2) × seeds (3)');
    assert.equal(lines[2], 'folder: runs/grid12');
    assert.equal(lines.length, 4 + 12);
    // trial 0 is the base itself; trial 11 changes three values
    assert.match(lines[4]!, /^0 +[0-9a-f]{8} +00-sgd-lr0\.1-s0 +new +\(same as base\)$/);
    assert.match(lines[15]!, /^11 +[0-9a-f]{8} +11-adamw-lr0\.5-s2 +new +seed=2 optimizer\.name=adamw optimizer\.lr=0\.5$/);
    assert.equal(new Set(lines.slice(4).map((l) => l.split(/ +/)[1])).size, 12);
    assert.equal(existsSync(join(tmp, 'runs')), false);
    // an invalid trial fails the whole sweep before anything runs
    writeFileSync(join(tmp, 'bad.yaml'), 'base: base.yaml\ngrid:\n  optimizer.lr: [0.1, -1]\n');
    await assert.rejects(sweep({ sweep: 'bad.yaml', ...fake }, captureContext(tmp).ctx), /trial 1 \(optimizer\.lr=-1\): optimizer\.lr: must be > 0/);
    assert.equal(existsSync(join(tmp, 'runs')), false);
  });
});

test('a sweep killed with SIGKILL and run again completes exactly 12 trials, none twice; summary means match', async () => {
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 'grid.yaml'), GRID);
    const driver = join(import.meta.dirname, '../sweep/fixtures/drive-sweep.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', driver, tmp, 'grid.yaml', '3'], { stdio: 'ignore', env: { ...process.env, FAKE_STEP_MS: '150' } });
    const sweepDir = join(tmp, 'runs/grid12');
    // kill once some trials finished and others are mid-run
    for (let i = 0; i < 400; i++) {
      await new Promise((r) => setTimeout(r, 25));
      if (!existsSync(join(sweepDir, 'trials.jsonl'))) continue;
      const ts = trialsJsonl(sweepDir);
      const midRun = ts.some((t) => t.status === 'running' && existsSync(join(sweepDir, t.run_dir, 'checkpoints/step-000002')));
      if (ts.filter((t) => t.status === 'completed').length >= 3 && midRun) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const before = trialsJsonl(sweepDir);
    assert.ok(before.some((t) => t.status === 'running'), 'some trials were mid-run when the parent died');
    assert.ok(before.filter((t) => t.status === 'completed').length < 12);

    const c = captureContext(tmp);
    assert.equal(await sweep({ sweep: "grid.yaml", workers: 3, ...fake }, c.ctx), 0, c.err() + readFileSync(join(sweepDir, "trials.jsonl"), "utf8"));
    const after = trialsJsonl(sweepDir);
    assert.equal(after.length, 12);
    assert.deepEqual(after.map((t) => t.status), Array(12).fill('completed'));
    assert.equal(new Set(after.map((t) => t.id)).size, 12);
    assert.deepEqual(after.map((t) => t.index), [...Array(12).keys()]);
    const runDirs = readdirSync(sweepDir).filter((d) => /^\d\d-/.test(d));
    assert.equal(runDirs.length, 12);
    // the orphaned children were stopped and resumed from their checkpoint, not restarted
    assert.ok(runDirs.some((d) => existsSync(join(sweepDir, d, 'resumed'))), 'an interrupted trial was resumed');
    for (const d of runDirs) {
      const steps = readFileSync(join(sweepDir, d, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step as number);
      assert.equal(Math.max(...steps), 6);
    }
    // a third run has nothing to do
    const c3 = captureContext(tmp);
    assert.equal(await sweep({ sweep: 'grid.yaml', workers: 3, ...fake }, c3.ctx), 0);
    assert.match(c3.err(), /12 trials, 12 already done/);

    // summary: per (optimizer, lr), train.loss = 1/(1+6·lr) + 0.01·seed over seeds 0,1,2
    // ⇒ mean 1/(1+6lr) + 0.01, sample std 0.01; test.accuracy = 1 − loss/2 ⇒ mean 1 − mean/2, std 0.005
    const s = captureContext(tmp);
    assert.equal(await sweepSummary({ sweepDir: 'runs/grid12', format: 'json' }, s.ctx), 0);
    const summary = JSON.parse(s.out()) as { metric: string; groups: { params: Record<string, unknown>; n: number; metrics: Record<string, { mean: number; std: number; n: number }> }[] };
    assert.equal(summary.metric, 'best.test.accuracy');
    assert.equal(summary.groups.length, 4);
    for (const g of summary.groups) {
      const lr = g.params['optimizer.lr'] as number;
      assert.equal(g.n, 3);
      assert.ok(Math.abs(g.metrics['train.loss']!.mean - (1 / (1 + 6 * lr) + 0.01)) < 1e-12);
      assert.ok(Math.abs(g.metrics['train.loss']!.std - 0.01) < 1e-12);
      assert.ok(Math.abs(g.metrics['test.accuracy']!.mean - (1 - (1 / (1 + 6 * lr) + 0.01) / 2)) < 1e-12);
    }
    const t = captureContext(tmp);
    assert.equal(await sweepSummary({ sweepDir: 'runs/grid12', metric: 'train.loss' }, t.ctx), 0);
    const rows = t.out().trim().split('\n');
    // sorted by train.loss ascending; ties keep trial order (sgd before adamw). best.test.accuracy (step 1)
    // = 1 − (1/(1+0.5) + 0.01)/2 = 0.66167; test.accuracy = 1 − 0.26/2 = 0.87; std 0.01/2 = 0.005
    assert.match(rows[0]!, /^optimizer\.name +optimizer\.lr +n +best\.test\.accuracy +test\.accuracy +train\.loss \(min\)$/);
    assert.match(rows[1]!, /^sgd +0\.5 +3 +0\.6617 ± 0\.005 +0\.87 ± 0\.005 +0\.26 ± 0\.01$/);
    assert.match(rows[2]!, /^adamw +0\.5 +3 /);
    assert.match(rows[4]!, /^adamw +0\.1 +3 +0\.5405 ± 0\.005 +0\.6825 ± 0\.005 +0\.635 ± 0\.01$/);
    const st = captureContext(tmp);
    assert.equal(await sweepStatus({ sweepDir: 'runs/grid12' }, st.ctx), 0);
    assert.match(st.out(), /^sweep grid12: 12\/12 finished \(12 completed\)/);
  });
});

test('a diverging trial is marked so, the others finish, and the sweep exits 6; --retry-failed reruns it', async () => {
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 'div.yaml'), 'base: base.yaml\ngrid:\n  optimizer.lr: [0.1, 20, 0.3]\n');
    const c = captureContext(tmp);
    assert.equal(await sweep({ sweep: 'div.yaml', workers: 2, ...fake }, c.ctx), 6);
    const t = trialsJsonl(join(tmp, 'runs/div'));
    assert.deepEqual(t.map((x) => x.status), ['completed', 'diverged', 'completed']);
    assert.match(c.err(), /01-lr20: diverged {2}train\.loss=NaN/);
    assert.match(c.err(), /3 trials: 2 completed, 1 diverged/);
    const again = captureContext(tmp);
    assert.equal(await sweep({ sweep: 'div.yaml', ...fake }, again.ctx), 6);
    assert.equal(existsSync(join(tmp, 'runs/div/attempts')), false);
    const retry = captureContext(tmp);
    assert.equal(await sweep({ sweep: 'div.yaml', retryFailed: true, ...fake }, retry.ctx), 6);
    assert.deepEqual(readdirSync(join(tmp, 'runs/div/attempts')), ['01-lr20.1']);
    const status = captureContext(tmp);
    await sweepStatus({ sweepDir: 'runs/div' }, status.ctx);
    assert.match(status.out(), /1 +[0-9a-f]{8} +01-lr20 +diverged +2 +2 /);
  });
});

test('Ctrl-C stops the workers cleanly: trials are interrupted, then resumed by the next run', async () => {
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 's.yaml'), 'base: base.yaml\ngrid:\n  optimizer.lr: [0.1, 0.2]\nset:\n  train.steps: 40\n');
    const c = captureContext(tmp);
    const p = sweep({ sweep: 's.yaml', workers: 2, ...fake }, c.ctx);
    // Both trials must have a checkpoint before Ctrl-C, or the next run restarts them instead of resuming
    // (generous wait: the machine may be busy).
    const ready = () => ['00-lr0.1', '01-lr0.2'].every((t) => existsSync(join(tmp, `runs/s/${t}/checkpoints/step-000002`)));
    for (let i = 0; i < 1500 && !ready(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(ready(), 'both trials checkpointed before the interrupt');
    c.abort.abort();
    assert.equal(await p, 130);
    assert.deepEqual(trialsJsonl(join(tmp, 'runs/s')).map((t) => t.status), ['interrupted', 'interrupted']);
    assert.match(c.err(), /interrupted: 2 interrupted; run the same command again to resume/);
    assert.equal(await sweep({ sweep: 's.yaml', workers: 2, ...fake }, captureContext(tmp).ctx), 0);
    assert.ok(existsSync(join(tmp, 'runs/s/00-lr0.1/resumed')));
  });
});
