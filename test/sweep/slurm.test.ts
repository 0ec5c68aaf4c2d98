// Against a real one-node Slurm: `eval "$(scripts/slurm-up.sh)"; MINIMA_TEST_SLURM=1 npm run test:slurm`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweep } from '../../src/commands/sweep.js';
import { sweepSummary } from '../../src/commands/sweep-summary.js';
import { sweepStatus } from '../../src/commands/sweep-status.js';
import { sbatchScript, compressRanges } from '../../src/sweep/slurm.js';
import { slurmSchema } from '../../src/sweep/spec.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from './helpers.js';
import { fakeResolve, FAKE_BIN } from './fixtures/fake-config.js';

const FAKE_CLI = fileURLToPath(new URL('./fixtures/fake-cli.mjs', import.meta.url));
const GRID = 'name: grid12\nbase: base.yaml\ngrid:\n  optimizer.name: [sgd, adamw]\n  optimizer.lr: [0.1, 0.5]\nseeds: [0, 1, 2]\nslurm:\n  cpus_per_task: 1\n  time: "00:05:00"\n  array_concurrency: 4\n';

test('the sbatch script: one array task per trial, resources from the sweep file', () => {
  assert.equal(compressRanges([5, 0, 1, 2, 7, 8, 3]), '0-3,5,7-8');
  const text = sbatchScript({
    name: 'g', sweepDir: '/s/runs/g', cwd: "/s/it's", indices: [0, 1, 2, 4], retryFailed: true, nodePath: '/usr/bin/node', binPath: '/s/bin/minima.js',
    slurm: slurmSchema.parse({ partition: 'gpu', time: '01:00:00', cpus_per_task: 4, gpus: 1, mem: '8G', array_concurrency: 2, setup: ['module load nodejs'], sbatch_args: ['--exclusive'] }),
  });
  for (const line of ['#SBATCH --array=0-2,4%2', '#SBATCH --partition=gpu', '#SBATCH --time=01:00:00', '#SBATCH --cpus-per-task=4', '#SBATCH --gres=gpu:1', '#SBATCH --mem=8G', '#SBATCH --exclusive', '#SBATCH --output=/s/runs/g/slurm/%A_%a.out', 'module load nodejs', `cd '/s/it'\\''s'`,
    `exec '/usr/bin/node' '/s/bin/minima.js' sweep '/s/runs/g' --task "$SLURM_ARRAY_TASK_ID" --retry-failed`]) {
    assert.ok(text.split('\n').includes(line), `missing line: ${line}\n${text}`);
  }
});

const slurm = process.env.MINIMA_TEST_SLURM === '1';
test('the 12-trial grid through --executor slurm completes and its summary equals the local one', { skip: slurm ? false : 'set MINIMA_TEST_SLURM=1 after `eval "$(scripts/slurm-up.sh)"`', timeout: 300_000 }, async () => {
  await withTmpDir(async (tmp) => {
    for (const d of ['local', 'slurm']) {
      mkdirSync(join(tmp, d));
      writeFileSync(join(tmp, d, 'grid.yaml'), GRID);
    }
    const local = captureContext(join(tmp, 'local'));
    assert.equal(await sweep({ sweep: 'grid.yaml', workers: 2, resolveConfig: fakeResolve, binPath: FAKE_BIN }, local.ctx), 0, local.err());

    const s = captureContext(join(tmp, 'slurm'));
    assert.equal(await sweep({ sweep: 'grid.yaml', executor: 'slurm', resolveConfig: fakeResolve, binPath: FAKE_CLI, json: true }, s.ctx), 0, s.err());
    const submitted = JSON.parse(s.out()) as { job_id: string; submitted: number };
    assert.equal(submitted.submitted, 12);
    assert.match(readFileSync(join(tmp, 'slurm/runs/grid12/slurm/submit-1.sbatch'), 'utf8'), /#SBATCH --array=0-11%4/);
    const sweepDir = join(tmp, 'slurm/runs/grid12');
    let statuses: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const c = captureContext(tmp);
      await sweepStatus({ sweepDir, json: true }, c.ctx);
      statuses = c.out().trim().split('\n').map((l) => (JSON.parse(l) as { status: string }).status);
      if (statuses.every((x) => x === 'completed' || x === 'failed')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(statuses, Array(12).fill('completed'), readFileSync(join(sweepDir, 'trials.jsonl'), 'utf8'));
    const trials = readFileSync(join(sweepDir, 'trials.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { slurm?: { job_id: string } });
    assert.ok(trials.every((t) => t.slurm?.job_id === submitted.job_id));

    for (const format of ['json', 'csv', 'table'] as const) {
      const a = captureContext(tmp), b = captureContext(tmp);
      await sweepSummary({ sweepDir: join(tmp, 'local/runs/grid12'), format }, a.ctx);
      await sweepSummary({ sweepDir, format }, b.ctx);
      assert.equal(b.out(), a.out(), format);
    }
    // re-submitting finds nothing to do
    const again = captureContext(join(tmp, 'slurm'));
    assert.equal(await sweep({ sweep: 'grid.yaml', executor: 'slurm', resolveConfig: fakeResolve, binPath: FAKE_CLI }, again.ctx), 0);
    assert.match(again.err(), /nothing to submit: 12 trial\(s\) done/);
  });
});
