/**
 * Every registered analysis on a tiny trained run (moons, MLP [16], cpu): it writes result.json,
 * data, an SVG and a PNG and the command line; a rerun reads its units back from cache.json and
 * gives the same numbers (deterministic given the seed); refusals carry stable codes and exit 2.
 * Interpolation endpoints reproduce the runs' own logged eval rows; the filter-normalised
 * direction has each filter's norm equal to the weights' and zero bias directions.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { analysisRegistry } from '../../src/analysis/index.js';
import { filterNormalizedDirection } from '../../src/analysis/landscape.js';
import { analyze } from '../../src/commands/analyze.js';
import { run } from '../../src/commands/run.js';
import { RunnerError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import type { ParamSpec } from '../../src/core/types.js';
import { repoRoot } from '../support/cli.js';
import { tf } from '../support/tf.js';
import { captureContext } from '../sweep/helpers.js';

/** Small options per analysis so the suite stays fast; an entry without one runs at its defaults. */
const quick: Readonly<Record<string, string>> = {
  landscape: 'landscape:points=5',
  interpolate: 'interpolate:points=5',
  hessian: 'hessian:examples=200,top_k=2,iterations=30,trace_samples=8,lanczos_steps=12,bins=50',
};

const dir = mkdtempSync(join(tmpdir(), 'minima-analyze-'));
const runs = join(dir, 'runs');
let runA = '';
let runB = '';

async function train(seed: number): Promise<string> {
  const { ctx } = captureContext(dir);
  const before = new Set(existsSync(runs) ? readdirSync(runs) : []);
  await run({ config: join(repoRoot, 'configs/test/tiny-moons.yaml'), overrides: [`seed=${seed}`], runsDir: runs, quiet: true }, ctx);
  return join(runs, readdirSync(runs).find((d) => !before.has(d))!);
}

const withoutTime = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'seconds'));

describe('minima analyze', () => {
  before(async () => {
    runA = await train(0);
    runB = await train(1);
  });

  for (const entry of analysisRegistry.entries) {
    it(`${entry.name}: writes results, data, SVG and PNG, and is deterministic and resumable`, async () => {
      const word = quick[entry.name] ?? entry.name;
      const first = captureContext(dir);
      assert.equal(await analyze({ runDir: runA, analyses: [word], json: true, quiet: true }, first.ctx), 0);
      const [out] = JSON.parse(first.out()) as { folder: string; dir: string; result: Record<string, unknown> }[];
      const files = readdirSync(out!.dir);
      for (const f of ['result.json', 'command.txt', 'cache.json']) assert.ok(files.includes(f), `${entry.name}: ${f} in ${files.join(', ')}`);
      assert.ok(files.some((f) => f.endsWith('.svg')) && files.some((f) => f.endsWith('.png')), `${entry.name}: a figure`);
      assert.ok(files.some((f) => f.endsWith('.csv')), `${entry.name}: data as CSV`);
      assert.ok(readFileSync(join(out!.dir, files.find((f) => f.endsWith('.png'))!)).subarray(1, 4).toString() === 'PNG');
      // resumed from the cache: the same numbers without recomputing
      const again = captureContext(dir);
      await analyze({ runDir: runA, analyses: [word], json: true }, again.ctx);
      assert.match(again.err(), /resuming/);
      assert.deepEqual(withoutTime(JSON.parse(again.out())[0].result), withoutTime(out!.result));
      // recomputed from scratch: still the same numbers (deterministic given the seed)
      const fresh = captureContext(dir);
      await analyze({ runDir: runA, analyses: [word], json: true, quiet: true, fresh: true }, fresh.ctx);
      assert.deepEqual(withoutTime(JSON.parse(fresh.out())[0].result), withoutTime(out!.result));
    });
  }

  it('interpolate: the endpoints reproduce both runs\' own logged losses', async () => {
    const c = captureContext(dir);
    await analyze({ runDir: runA, analyses: ['interpolate:points=3', runB], json: true, quiet: true }, c.ctx);
    const [out] = JSON.parse(c.out());
    assert.equal(out.folder, `interpolate-${runB.split('/').at(-1)}`);
    const ends = out.result.endpoints as { alpha: number; loss_on_line: number; loss_own: number; loss_logged: number | null }[];
    assert.equal(ends.length, 4);
    for (const e of ends) {
      assert.equal(typeof e.loss_logged, 'number');
      assert.ok(Math.abs(e.loss_own - e.loss_logged!) <= 1e-6 * Math.max(1, e.loss_logged!), `own ${e.loss_own} vs logged ${e.loss_logged}`);
      assert.ok(Math.abs(e.loss_on_line - e.loss_own) <= 1e-6 * Math.max(1, e.loss_own), `line ${e.loss_on_line} vs own ${e.loss_own}`);
    }
  });

  it('a stop mid-analysis exits 130 with the finished units kept; the rerun resumes and gives the fresh numbers', async () => {
    const word = 'landscape:points=11,seed=5';
    const abort = new AbortController();
    // not a TTY: a progress line every tenth; the first one stops the analysis
    const stderr = new Writable({ write(chunk, _e, cb) { if (/landscape: \d+\/12/.test(String(chunk))) abort.abort('SIGINT'); cb(); } });
    const ctx = { ...captureContext(dir).ctx, stderr, signal: abort.signal };
    await assert.rejects(analyze({ runDir: runA, analyses: [word] }, ctx), (e: unknown) => e instanceof RunnerError && e.code === 'INTERRUPTED' && e.exitCode === 130);
    const cached = Object.keys(JSON.parse(readFileSync(join(runA, 'analysis', 'landscape', 'cache.json'), 'utf8')).units);
    assert.ok(cached.length >= 1 && cached.length < 12, `units kept: ${cached.length}`);
    const resumed = captureContext(dir);
    await analyze({ runDir: runA, analyses: [word], json: true }, resumed.ctx);
    assert.match(resumed.err(), new RegExp(`resuming, ${cached.length} unit`));
    const fresh = captureContext(dir);
    await analyze({ runDir: runA, analyses: [word], json: true, quiet: true, fresh: true }, fresh.ctx);
    assert.deepEqual(withoutTime(JSON.parse(resumed.out())[0].result), withoutTime(JSON.parse(fresh.out())[0].result));
  });

  it('refuses a run without checkpoints, a missing checkpoint step and an impossible class (exit 2, stable codes)', async () => {
    const bare = join(dir, 'bare');
    cpSync(runA, bare, { recursive: true });
    rmSync(join(bare, 'checkpoints'), { recursive: true, force: true });
    const refused = (code: string) => (e: unknown) => e instanceof RunnerError && e.code === code && e.exitCode === 2;
    await assert.rejects(analyze({ runDir: bare, analyses: ['landscape'], quiet: true }, captureContext(dir).ctx), refused('NO_CHECKPOINT'));
    await assert.rejects(analyze({ runDir: runA, analyses: ['landscape'], checkpoint: 123456, quiet: true }, captureContext(dir).ctx), refused('NO_CHECKPOINT'));
    await assert.rejects(analyze({ runDir: runA, analyses: ['hessian:class=7'], quiet: true }, captureContext(dir).ctx), refused('ANALYSIS_UNSUPPORTED'));
    await assert.rejects(analyze({ runDir: runA, analyses: ['landscapes'], quiet: true }, captureContext(dir).ctx), refused('UNKNOWN_NAME'));
    await assert.rejects(analyze({ runDir: runA, analyses: ['landscape:points=two'], quiet: true }, captureContext(dir).ctx), (e: unknown) => e instanceof RunnerError && e.exitCode === 2);
    writeFileSync(join(dir, 'not-a-run.txt'), '');
    await assert.rejects(analyze({ runDir: dir, analyses: ['landscape'], quiet: true }, captureContext(dir).ctx), refused('RUN_NOT_FOUND'));
  });
});

describe('filter-normalised directions', () => {
  it('match each filter\'s norm (last axis of a kernel), zero rank-1 tensors under biasbn and copy them otherwise', () => {
    const kernel = tf.variable(tf.tensor2d([[1, 2, 0], [2, 0, 0], [2, 1, 5]]), true, 'k');
    const bias = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'b');
    const params: ParamSpec[] = [{ name: 'k', variable: kernel, role: 'kernel', owner: 'model' }, { name: 'b', variable: bias, role: 'bias', owner: 'model' }];
    const weights = [kernel.dataSync() as Float32Array, bias.dataSync() as Float32Array];
    const [d, b] = filterNormalizedDirection(params, weights, new Rng(1), 'filter', 'biasbn');
    for (let j = 0; j < 3; j++) {
      const col = (a: Float32Array) => Math.hypot(a[j]!, a[3 + j]!, a[6 + j]!);
      assert.ok(Math.abs(col(d!) - col(weights[0]!)) < 1e-5, `filter ${j}: ${col(d!)} vs ${col(weights[0]!)}`);
    }
    assert.deepEqual([...b!], [0, 0, 0]);
    const [, copied] = filterNormalizedDirection(params, weights, new Rng(1), 'filter', 'none');
    assert.deepEqual([...copied!], [0.5, -1, 2]);
    const [layer] = filterNormalizedDirection(params, weights, new Rng(1), 'layer', 'biasbn');
    assert.ok(Math.abs(Math.hypot(...layer!) - Math.hypot(...weights[0]!)) < 1e-5);
    kernel.dispose();
    bias.dispose();
  });
});
