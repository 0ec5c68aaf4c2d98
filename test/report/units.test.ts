/**
 * The report layer's pieces on hand-made inputs: config diff and labels, --where filters, display
 * downsampling (real rows kept, extremes kept), mean ± std bands, steps-to-target and the
 * performance profile, the served-path gate, and inline script escaping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { realpathSync } from 'node:fs';
import { changedKeys, flattenConfig, groupBySeed, labelKeys } from '../../src/report/config-diff.js';
import { curvesOf, downsample, meanBand, resolveCurveId, type CurveId, type Point } from '../../src/report/curves.js';
import type { RunEntry } from '../../src/report/discover.js';
import { filterRuns, parseWhere, sortRuns } from '../../src/report/query.js';
import { performanceProfile, stepsToTarget } from '../../src/report/profile.js';
import { resolveInside } from '../../src/report/safe-path.js';
import { inlineJson, inlineScript } from '../../src/report/assets.js';
import { buildRunsTable, formatRunsTable } from '../../src/report/runs-table.js';
import { RunnerError } from '../../src/core/errors.js';
import { withTmpDir } from '../support/tmp-dir.js';

function run(name: string, config: Record<string, unknown>, extra: Partial<RunEntry> = {}): RunEntry {
  return { dir: `/r/${name}`, rel: name, root: '/r', name, status: 'completed', final: {}, best: {}, config: flattenConfig(config), overrideKeys: [], ...extra };
}

test('flattenConfig and changedKeys: only keys that differ, a key missing somewhere counts', () => {
  assert.deepEqual(flattenConfig({ a: { b: 1, c: [1, 2] }, d: null, e: {} }), { 'a.b': 1, 'a.c': [1, 2], d: null, e: {} });
  const runs = [
    run('x', { seed: 0, optimizer: { name: 'sgd', lr: 0.1, momentum: 0 }, model: { hidden: [16] } }),
    run('y', { seed: 1, optimizer: { name: 'sgd', lr: 0.1, momentum: 0 }, model: { hidden: [16] } }),
    run('z', { seed: 0, optimizer: { name: 'adamw', lr: 0.1, betas: [0.9, 0.999] }, model: { hidden: [16] } }),
  ];
  assert.deepEqual(changedKeys(runs), ['seed', 'optimizer.name', 'optimizer.momentum', 'optimizer.betas']);
  assert.deepEqual(changedKeys(runs.slice(0, 1)), []);
  // labels drop the options a changed component brings along
  assert.deepEqual(labelKeys(runs), ['seed', 'optimizer.name']);
  // … and prefer what the user set on the command line
  const chosen = runs.map((r) => ({ ...r, overrideKeys: ['optimizer.name'] }));
  assert.deepEqual(labelKeys(chosen), ['optimizer.name']);
  assert.deepEqual(groupBySeed(runs).map((g) => g.map((r) => r.name)), [['x', 'y'], ['z']]);
});

test('--where: numbers compare as numbers, words as words, ~ contains; a bad filter is a usage error', () => {
  const runs = [
    run('a', { optimizer: { name: 'sam', lr: 0.1 } }, { final: { 'test.accuracy': 0.95 }, best: { 'test.accuracy': 0.96 } }),
    run('b', { optimizer: { name: 'sgd', lr: 0.01 } }, { final: { 'test.accuracy': 0.85 }, best: { 'test.accuracy': 0.9 }, status: 'diverged' }),
    run('c', { optimizer: { name: 'sgd', lr: 1 } }),
  ];
  const names = (w: string[]) => filterRuns(runs, w).map((r) => r.name);
  assert.deepEqual(names(['optimizer.name==sam']), ['a']);
  assert.deepEqual(names(['test.accuracy>0.9']), ['a']);
  assert.deepEqual(names(['best.test.accuracy>=0.9']), ['a', 'b']);
  assert.deepEqual(names(['optimizer.lr<0.5', 'status!=diverged']), ['a']);
  assert.deepEqual(names(['optimizer.name~s']), ['a', 'b', 'c']);
  assert.deepEqual(names(['final.test.accuracy<0.9']), ['b']);
  assert.deepEqual(names(['test.accuracy!=0.95']), ['b', 'c']); // no value: passes only !=
  assert.throws(() => parseWhere('optimizer.name'), (e) => e instanceof RunnerError && e.code === 'USAGE');
  assert.deepEqual(sortRuns(runs, '-optimizer.lr').map((r) => r.name), ['c', 'a', 'b']);
  assert.deepEqual(sortRuns(runs, 'test.accuracy').map((r) => r.name), ['b', 'a', 'c']);
});

test('runs table: changed keys as columns, +KEY adds, formats', () => {
  const runs = [run('a', { seed: 0, lr: 0.1, model: 'mlp' }, { final: { 'test.accuracy': 0.5 } }), run('b', { seed: 0, lr: 0.2, model: 'mlp' }, { final: { 'test.accuracy': 0.75 } })];
  const t = buildRunsTable(runs);
  assert.deepEqual(t.columns, ['name', 'status', 'started', 'steps', 'wall_time_s', 'backend', 'lr', 'test.accuracy']);
  assert.deepEqual(buildRunsTable(runs, ['+model']).columns.at(-1), 'model');
  assert.deepEqual(buildRunsTable(runs, ['name', 'lr']).columns, ['name', 'lr']);
  const csv = formatRunsTable(buildRunsTable(runs, ['name', 'lr', 'test.accuracy']), 'csv');
  assert.equal(csv, 'name,lr,test.accuracy\na,0.1,0.5\nb,0.2,0.75\n');
  const md = formatRunsTable(buildRunsTable(runs, ['name', 'lr']), 'markdown');
  assert.equal(md, '| name | lr |\n| --- | --- |\n| a | 0.1 |\n| b | 0.2 |\n');
  const json = JSON.parse(formatRunsTable(t, 'json')) as { runs: Record<string, unknown>[] };
  assert.equal(json.runs[1]!['test.accuracy'], 0.75);
});

test('curves: eval and per-step rows apart, the last row of a re-logged step counts', () => {
  const rows = [
    { step: 4, epoch: 0, split: 'train' as const, loss: 2, lr: 0.1, time_s: 0.1 },
    { step: 8, epoch: 0, split: 'train' as const, loss: 1.5, lr: 0.1, time_s: 0.2 },
    { step: 8, epoch: 0, split: 'train' as const, loss: 1.4, lr: 0.1, time_s: 0.3 },
    { step: 8, epoch: 0, split: 'test' as const, eval: true, loss: 1.6, accuracy: 0.5, time_s: 0.3 },
  ];
  const c = curvesOf(rows);
  assert.deepEqual([...c.keys()].sort(), ['eval:test.accuracy', 'eval:test.loss', 'step:train.loss', 'step:train.lr']);
  assert.deepEqual(c.get('step:train.loss')!.map((p) => p.value), [2, 1.4]);
  const ids = new Set(c.keys());
  assert.equal(resolveCurveId('test.accuracy', ids), 'eval:test.accuracy');
  assert.equal(resolveCurveId('train.loss', ids), 'step:train.loss');
  assert.equal(resolveCurveId('loss', ids), 'step:train.loss');
  assert.equal(resolveCurveId('test.nll', ids), undefined);
});

test('downsample keeps real rows, the first and last, every bucket extreme, and about max points', () => {
  const pts: Point[] = Array.from({ length: 100_000 }, (_, i) => ({ step: i, epoch: 0, time_s: i, value: Math.sin(i / 50) + (i === 54_321 ? 100 : 0) + (i === 77_777 ? -100 : 0) }));
  const d = downsample(pts, 2000);
  assert.ok(d.length <= 2000 && d.length > 1000, String(d.length));
  assert.equal(d[0], pts[0]);
  assert.equal(d.at(-1), pts.at(-1));
  assert.ok(d.some((p) => p.value! > 99) && d.some((p) => p.value! < -99), 'spikes survive');
  for (const p of d) assert.equal(p, pts[p.step], 'each point is a logged row');
  assert.deepEqual(downsample(pts.slice(0, 10), 2000), pts.slice(0, 10));
});

test('meanBand: mean ± sample std at steps two or more runs logged', () => {
  const a: Point[] = [{ step: 1, epoch: 0, time_s: 1, value: 1 }, { step: 2, epoch: 0, time_s: 2, value: 4 }];
  const b: Point[] = [{ step: 1, epoch: 0, time_s: 3, value: 3 }, { step: 2, epoch: 0, time_s: 4, value: null }, { step: 3, epoch: 0, time_s: 5, value: 1 }];
  const band = meanBand([a, b]);
  assert.equal(band.length, 1);
  assert.deepEqual(band[0], { step: 1, epoch: 0, time_s: 2, mean: 2, std: Math.SQRT2, lo: 2 - Math.SQRT2, hi: 2 + Math.SQRT2, n: 2 });
});

test('steps-to-target and the performance profile (best hyperparameters, median over seeds)', () => {
  const curve = (vals: number[]): Point[] => vals.map((v, i) => ({ step: (i + 1) * 10, epoch: 0, time_s: null, value: v }));
  assert.equal(stepsToTarget(curve([0.1, 0.5, 0.9]), 0.5, 'max'), 20);
  assert.equal(stepsToTarget(curve([3, 2, 1]), 1.5, 'min'), 30);
  assert.equal(stepsToTarget(curve([0.1]), 0.5, 'max'), null);
  const id: CurveId = 'eval:test.accuracy';
  const mk = (name: string, opt: string, lr: number, data: string, seed: number, vals: number[]) => ({ r: run(name, { seed, dataset: data, optimizer: { name: opt, lr } }), c: curve(vals) });
  const all = [
    mk('a0', 'sgd', 0.1, 'moons', 0, [0.1, 0.95]), mk('a1', 'sgd', 0.1, 'moons', 1, [0.1, 0.1, 0.1, 0.95]),
    mk('a2', 'sgd', 0.1, 'moons', 2, [0.95]), // sgd lr=0.1 on moons: median of 20, 40, 10 = 20
    mk('b0', 'sgd', 1, 'moons', 0, [0.1]), // never: the other lr wins
    mk('c0', 'adam', 0.1, 'moons', 0, [0.95]), // adam on moons: 10
    mk('d0', 'sgd', 0.1, 'blobs', 0, [0.95]), // sgd on blobs: 10
    mk('e0', 'adam', 0.1, 'blobs', 0, [0.1, 0.1, 0.95]), // adam on blobs: 30
  ];
  const curves = new Map(all.map((x) => [x.r, new Map([[id, x.c]])]));
  const p = performanceProfile(all.map((x) => x.r), id, 0.9, { curves: (r) => curves.get(r)! });
  assert.equal(p.solverKey, 'optimizer.name');
  assert.deepEqual(p.problems, ['dataset=blobs', 'dataset=moons']);
  assert.deepEqual(p.times, { sgd: { 'dataset=blobs': 10, 'dataset=moons': 20 }, adam: { 'dataset=blobs': 30, 'dataset=moons': 10 } });
  const rho = (s: string, tau: number) => p.points.find((x) => x.solver === s && x.tau === tau)!.rho;
  assert.equal(rho('sgd', 1), 0.5);
  assert.equal(rho('adam', 1), 0.5);
  assert.equal(rho('sgd', 2), 1);
  assert.equal(rho('adam', 2), 0.5);
  assert.equal(rho('adam', 3), 1);
});

test('resolveInside refuses .., encoded .., absolute paths and symlinks out of the folder', async () => {
  await withTmpDir((tmp) => {
    const root = join(tmp, 'root');
    mkdirSync(join(root, 'run'), { recursive: true });
    writeFileSync(join(root, 'run', 'config.yaml'), 'a: 1\n');
    writeFileSync(join(tmp, 'secret.txt'), 'secret');
    symlinkSync(join(tmp, 'secret.txt'), join(root, 'run', 'leak.txt'));
    symlinkSync(join(root, 'run', 'config.yaml'), join(root, 'inside.yaml'));
    const real = realpathSync(root);
    assert.deepEqual(resolveInside(real, 'run/config.yaml'), { ok: true, path: join(real, 'run', 'config.yaml') });
    assert.equal(resolveInside(real, 'inside.yaml').ok, true, 'a symlink that stays inside is served');
    for (const bad of ['../secret.txt', 'run/../../secret.txt', '/etc/passwd', '%2e%2e/secret.txt', '..\\secret.txt', 'run/leak.txt', 'a\0b', 'C:/x']) {
      const r = resolveInside(real, bad);
      assert.equal(r.ok, false, bad);
      assert.equal(!r.ok && r.status, 403, bad);
    }
    const missing = resolveInside(real, 'run/nope.txt');
    assert.equal(!missing.ok && missing.status, 404);
  });
});

test('inline script and JSON cannot close their <script> element', () => {
  assert.equal(inlineScript('a("</script>"); b("<!--")'), 'a("<\\/script>"); b("<\\!--")');
  assert.equal(inlineJson({ s: '</script><b>' }), '{"s":"\\u003c/script>\\u003cb>"}');
  assert.equal(inlineJson({ x: Number.NaN }), '{"x":null}');
});
