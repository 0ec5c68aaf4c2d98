/**
 * The fused-kernel tests every CPU backend runs (fused.test.ts on cpu, fused-wasm.test.ts on
 * wasm): program ops and every optimizer bit-identical to the composite ops, each optimizer
 * actually running fused kernels, and the in-place moments (Program.inplace), which reuse a buffer
 * only when nothing else holds it, so that a copy taken before a step (a checkpoint's getState)
 * keeps its values.
 */
import { tf } from '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer, optimizerRegistry } from '../../src/optim/index.js';
import { compareFused, compareProgramOps, fusedKernelsOfStep, fusedSpecs } from './fused-cases.js';
import { runProgram } from '../../src/backends/kernels/kernel.js';
import { adamProgram } from '../../src/optim/fused/rules.js';

export function fusedSuite(backend: 'cpu' | 'wasm'): void {
  test(`the backend is ${backend}`, () => assert.equal(tf.getBackend(), backend));
  test('every program op and sum equals its tf op bit for bit (SIMD loop and scalar tail, ±0, ties)', () => {
    assert.equal(compareProgramOps(), '');
  });
  for (const spec of fusedSpecs()) {
    test(`${JSON.stringify(spec)}: fused = composite, bit for bit`, () => {
      assert.equal(compareFused(spec), '');
    });
  }
  // guards against comparing the composite path with itself: every entry that declares a fused twin runs it
  for (const e of optimizerRegistry.entries.filter((x) => x.fused)) {
    test(`${e.name} runs fused kernels on ${backend}`, async () => {
      assert.ok((await fusedKernelsOfStep(e.name)).length > 0, `${e.name} ran no Minima* kernel`);
    });
  }

  test('a kernel writes a moment into its input buffer only when no other tensor shares it', () => {
    const program = adamProgram(0.9, 0.999, 1e-8, 0, 'none');
    const [p, g] = [tf.tensor1d([1, 2, 3, 4, 5]), tf.tensor1d([0.5, -1, 2, 0, 3])];
    const m = tf.tensor1d([0.1, 0.2, 0.3, 0.4, 0.5]), v = tf.tensor1d([1, 1, 1, 1, 1]);
    const [m1, v1, u1, n1] = runProgram(program, [p, g, m, v], [1, 1, -0.1]);
    assert.equal(m1!.dataId, m.dataId, 'm reused');
    assert.equal(v1!.dataId, v.dataId, 'v reused');
    assert.notEqual(n1!.dataId, p.dataId, 'p is never an in-place output');
    // the inputs were consumed (an optimizer then disposes its old state)
    tf.dispose([m, v]);
    // m1 now holds the new moment; a clone makes its buffer shared: the next step must allocate
    const keep = tf.clone(m1!);
    const before = [...keep.dataSync()];
    const [m2, v2] = runProgram(program, [p, g, m1!, v1!], [1, 1, -0.1]);
    assert.notEqual(m2!.dataId, m1!.dataId, 'shared m is not overwritten');
    assert.equal(v2!.dataId, v1!.dataId, 'v (not shared) still reused');
    assert.deepEqual([...keep.dataSync()], before, 'the clone kept its values');
    // the same buffer given twice is not exclusive either
    const w = tf.tensor1d([1, 1, 1, 1, 1]);
    const [mw] = runProgram(program, [p, g, w, w], [1, 1, -0.1]);
    assert.notEqual(mw!.dataId, w.dataId);
    tf.dispose([p, g, m1!, v2!, u1!, n1!, m2!, keep, w, mw!]);
  });

  test('a checkpoint copy of the optimizer state keeps its values while training goes on', () => {
    const x = tf.variable(tf.tensor1d([1, -2, 3, 0.5, 4, -1, 2]));
    const opt = createOptimizer({ name: 'adamw', lr: 0.1 }, [{ name: 'x', variable: x, role: 'kernel' }]);
    const closure = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(x)) as tf.Scalar, [x]);
      return { loss: value, grads: [grads[x.name]!] };
    };
    const step = () => tf.dispose(tf.tidy(() => opt.step(closure).loss));
    step();
    const saved = opt.getState();
    const values = Object.fromEntries(Object.entries(saved).map(([k, t]) => [k, [...t.dataSync()]]));
    step();
    step();
    for (const [k, t] of Object.entries(saved)) assert.deepEqual([...t.dataSync()], values[k], k);
    // and with no copy alive the moments are replaced in place, step after step
    tf.dispose(Object.values(saved));
    const ids = () => { const s = opt.getState(); const r = Object.values(s).map((t) => t.dataId); tf.dispose(Object.values(s)); return r; };
    const a = ids();
    step();
    const b = ids();
    assert.ok(a.some((id, i) => id === b[i]), 'some moment buffer was reused');
    const count = tf.memory().numTensors;
    step();
    assert.equal(tf.memory().numTensors, count);
    opt.dispose();
    x.dispose();
  });
}
