/**
 * Diagnostics on the quadratic L(θ) = ½θᵀAθ, A = diag(4, 1), at θ = (1, 1):
 * g = Aθ = (4, 1), ‖g‖ = √17; λ_max(H) = 4;
 * S_ρ = L(θ + ρu) − L(θ) = ρ‖g‖ + ½ρ²·uᵀAu with u = g/‖g‖, uᵀAu = (4·16 + 1)/17 = 65/17.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertClose, assertNoLeak } from '../support/tf.js';
import { diagnosticRegistry, type DiagnosticContext } from '../../src/diagnostics/index.js';
import type { ParamSpec } from '../../src/core/types.js';

function quadratic(perExample: number[] = [0, 0.5, 0, 1e-30], lr = 0.1, artifacts = new Map<string, string>()) {
  const w = tf.variable(tf.tensor1d([1, 1]), true);
  const a = tf.tensor1d([4, 1]);
  const params: ParamSpec[] = [{ name: 'w', variable: w, role: 'kernel', owner: 'model' }];
  let evaluations = 0;
  const ctx: DiagnosticContext = {
    params,
    step: 7,
    lr,
    batchSize: perExample.length,
    evaluate(at) {
      evaluations++;
      const saved = tf.clone(w);
      try {
        // assign() shares the tensor's data; `at` stays the caller's to dispose
        if (at) w.assign(at[0] as tf.Tensor1D);
        const { value, grads } = tf.variableGrads(() => tf.mul(0.5, tf.sum(tf.mul(a, tf.square(w)))) as tf.Scalar, [w]);
        return { loss: value, grads: [grads[w.name]!] };
      } finally {
        w.assign(saved);
        saved.dispose();
      }
    },
    perExampleLoss: () => tf.tensor1d(perExample),
    subBatches: () => { throw new Error('no sub-batches on the quadratic'); },
    artifact(name, data) {
      artifacts.set(name, String(data));
      return `artifacts/test/${name}`;
    },
    readArtifact: (name) => artifacts.get(name),
  };
  return { ctx, w, dispose: () => tf.dispose([w, a]), evaluations: () => evaluations };
}

async function run(name: string, options: Record<string, unknown> = {}) {
  const q = quadratic();
  const d = diagnosticRegistry.get(name);
  const diag = d.create(d.schema.parse(options), {});
  let out: Record<string, number> = {};
  await assertNoLeak(async () => { out = await diag.run(q.ctx); }, name);
  assert.deepEqual(Array.from(q.w.dataSync()), [1, 1], `${name} restores the weights exactly`);
  q.dispose();
  return { out, every: diag.every, evaluations: q.evaluations() };
}

describe('diagnostics', () => {
  it('every entry has a strict schema with an `every` option', () => {
    for (const e of diagnosticRegistry.entries) {
      assert.ok(e.summary.length > 20);
      assert.equal(e.schema.safeParse({ bogus: 1 }).success, false);
      assert.equal((e.schema.parse({ every: 3 }) as { every: number }).every, 3);
    }
  });

  it('grad-norm = √17, per layer on request', async () => {
    const { out } = await run('grad-norm', { per_layer: true });
    assertClose([out.grad_norm!, out['grad_norm/w']!], [Math.sqrt(17), Math.sqrt(17)], 1e-6);
  });

  it('weight-norm = √2', async () => {
    assertClose([(await run('weight-norm')).out.weight_norm!], [Math.SQRT2], 1e-6);
  });

  it('sharpness = ρ‖g‖ + ½ρ²·65/17 (2 evaluations)', async () => {
    const rho = 0.05;
    const { out, evaluations } = await run('sharpness', { rho });
    // 0.05·4.1231056 + 0.5·0.0025·3.8235294 = 0.2061553 + 0.0047794
    assertClose([out.sharpness!], [rho * Math.sqrt(17) + 0.5 * rho * rho * (65 / 17)], 1e-4);
    assertClose([out.sharpness_base_loss!], [2.5], 1e-6);
    assert.equal(evaluations, 2);
  });

  it('hessian λ_max = 4 by power iteration (2 evaluations per iteration)', async () => {
    const { out, evaluations } = await run('hessian', { iterations: 15 });
    assertClose([out.hessian_max_eig!], [4], 1e-3);
    // auto ε = cbrt(1.2e-7)·(1 + √2)
    assertClose([out.hessian_eps!], [Math.cbrt(1.2e-7) * (1 + Math.SQRT2)], 1e-6);
    assert.equal(evaluations, 30);
  });

  it('softmax-collapse counts exact float32 zeros only', async () => {
    // [0, 0.5, 0, 1e-30]: 1e-30 is a normal float32, so 2 of 4
    assert.equal((await run('softmax-collapse')).out.softmax_collapse, 0.5);
  });

  it('softmax-collapse of cross-entropy: exactly 0 once the logit gap passes ≈ 16.6 + ln(K − 1)', async () => {
    const { createLoss } = await import('../../src/losses/index.js');
    const ce = createLoss('cross-entropy');
    // K = 3: gap 20 > 16.6 + ln 2 = 17.3 → u = 2e^{−20} < 2^{−24}, 1 + u rounds to 1: CE = 0; gap 10 → CE > 0
    const values = tf.tidy(() => Array.from(ce(tf.tensor2d([[20, 0, 0], [10, 0, 0]]), tf.tensor1d([0, 0], 'int32')).dataSync()));
    assert.ok(values[0] === 0, `CE ${values[0]} (−0 counts as 0, as in the diagnostic)`);
    assert.ok(values[1]! > 0);
  });
});
