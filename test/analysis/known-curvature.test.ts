/**
 * `hessian` and `landscape` on a model with known curvature: linear regression (model `linear`
 * with bias, loss `mse` = mean e²) on a linear teacher. Its Hessian in (w, b) is exactly
 * H = (2/n)·Σ_i [x_i; 1][x_i; 1]ᵀ at every θ, so the analysis must recover H's eigenvalues, its
 * trace, and a 1-D landscape L(θ + αd) = L(θ) + α gᵀd + α²·dᵀHd/2 whose curvature is dᵀHd for the
 * filter-normalised direction d the analysis drew.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filterNormalizedDirection } from '../../src/analysis/landscape.js';
import { openRun } from '../../src/analysis/open-run.js';
import { analyze } from '../../src/commands/analyze.js';
import { run } from '../../src/commands/run.js';
import { Rng } from '../../src/core/random.js';
import { symmetricEigen } from '../../src/measure/spectrum.js';
import { captureContext } from '../sweep/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'minima-curvature-'));
const d = 5;
let runDir = '';
let hessian: Float64Array;
let rows: Float32Array;
let n = 0;

describe('analyses on linear regression (known Hessian)', () => {
  before(async () => {
    writeFileSync(join(dir, 'lin.yaml'), [
      'name: lin', 'seed: 0',
      `dataset: {name: teacher-student, input_dim: ${d}, hidden: [], n_train: 300, n_test: 100, noise: 0.1}`,
      'model: {name: linear}', 'loss: {name: mse}', 'optimizer: {name: sgd, lr: 0.05}',
      'train: {epochs: 2, batch_size: 50}', 'backend: cpu', '',
    ].join('\n'));
    await run({ config: join(dir, 'lin.yaml'), runsDir: join(dir, 'runs'), quiet: true }, captureContext(dir).ctx);
    runDir = join(dir, 'runs', readdirSync(join(dir, 'runs'))[0]!);
    const opened = await openRun(runDir, { cwd: dir });
    n = opened.exp.dataset.sizes.train;
    rows = opened.exp.dataset.gather('train', Int32Array.from({ length: n }, (_, i) => i)).x as Float32Array;
    opened.dispose();
    // parameters in ParamSpec order: linear/head/kernel [d, 1] then linear/head/bias [1]
    const m = d + 1;
    hessian = new Float64Array(m * m);
    for (let i = 0; i < n; i++) {
      const z = [...rows.subarray(i * d, (i + 1) * d), 1];
      for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) hessian[a * m + b] = hessian[a * m + b]! + (2 / n) * z[a]! * z[b]!;
    }
  });

  it('hessian: top eigenvalues, Lanczos extremes and trace of H', async () => {
    const c = captureContext(dir);
    await analyze({ runDir, analyses: ['hessian:examples=null,top_k=3,iterations=500,tol=1e-7,trace_samples=400,lanczos_steps=6,density_runs=2'], json: true, quiet: true }, c.ctx);
    const r = JSON.parse(c.out())[0].result;
    const exact = symmetricEigen(hessian, d + 1).values;
    const trace = exact.reduce((a, b) => a + b, 0);
    assert.equal(r.parameters, d + 1);
    r.top_eigenvalues.forEach((v: number, i: number) => assert.ok(Math.abs(v - exact[i]!) < 2e-3 * exact[0]!, `λ${i + 1}: ${v} vs ${exact[i]}`));
    assert.ok(Math.abs(r.lambda_max - exact[0]!) < 2e-3 * exact[0]!, `λ_max ${r.lambda_max} vs ${exact[0]}`);
    assert.ok(Math.abs(r.lambda_min - exact[d]!) < 2e-3 * exact[0]!, `λ_min ${r.lambda_min} vs ${exact[d]}`);
    assert.ok(Math.abs(r.trace - trace) < 4 * r.trace_stderr + 1e-3 * trace, `trace ${r.trace} ± ${r.trace_stderr} vs ${trace}`);
  });

  it('landscape: the 1-D curve is the parabola with curvature dᵀHd of the drawn direction', async () => {
    const c = captureContext(dir);
    await analyze({ runDir, analyses: ['landscape:points=9,splits=[train]'], json: true, quiet: true }, c.ctx);
    const out = JSON.parse(c.out())[0];
    const csv = readFileSync(join(out.dir, 'landscape.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const opened = await openRun(runDir, { cwd: dir });
    const [dw, db] = filterNormalizedDirection(opened.exp.params, opened.weights, Rng.derive(0, 'landscape'), 'filter', 'biasbn');
    opened.dispose();
    assert.deepEqual([...db!], [0]);
    let curvature = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += dw![k]! * rows[i * d + k]!;
      curvature += (2 / n) * s * s;
    }
    // second differences of a parabola on a uniform grid: L(α+h) − 2L(α) + L(α−h) = h²·dᵀHd
    const h = csv[1]![0]! - csv[0]![0]!;
    for (let i = 1; i + 1 < csv.length; i++) {
      const second = (csv[i + 1]![1]! - 2 * csv[i]![1]! + csv[i - 1]![1]!) / (h * h);
      assert.ok(Math.abs(second - curvature) < 2e-3 * curvature + 1e-4, `α ${csv[i]![0]}: ${second} vs dᵀHd ${curvature}`);
    }
  });
});
