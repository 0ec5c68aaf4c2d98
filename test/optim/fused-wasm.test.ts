/** Fused optimizer kernels on the wasm backend: bit-identical to the composite (stock wasm) ops. */
import { tf } from '../support/tf.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/backends/index.js';
import { optimizerRegistry } from '../../src/optim/index.js';
import { inplaceTests } from './fused-inplace.js';
import { compareFused, compareProgramOps, fusedKernelsOfStep, fusedSpecs } from './fused-cases.js';
import { setWasmPrograms } from '../../src/optim/fused/kernel.js';

await initBackend('wasm');

describe('fused optimizer kernels on wasm', () => {
  test('the backend is wasm', () => assert.equal(tf.getBackend(), 'wasm'));
  inplaceTests();
  test('every program op and sum equals its tf op bit for bit (SIMD loop and scalar tail, ±0, ties)', () => {
    assert.equal(compareProgramOps(), '');
  });
  for (const spec of fusedSpecs()) {
    test(`${JSON.stringify(spec)}: fused = composite, bit for bit`, () => {
      assert.equal(compareFused(spec), '');
    });
  }
  test('the JS fallback for a shared heap (float32 sums in element order) gives the same bits', () => {
    setWasmPrograms(false);
    try {
      assert.equal(compareProgramOps(), '');
      for (const name of ['adamw', 'momo', 'gam']) assert.equal(compareFused(optimizerRegistry.get(name).nested?.base ? { name, base: { name: 'sgd', lr: 0.05 } } : { name }), '', name);
    } finally {
      setWasmPrograms(true);
    }
  });
  for (const e of optimizerRegistry.entries) {
    test(`${e.name} runs fused kernels on wasm`, async () => {
      assert.ok((await fusedKernelsOfStep(e.name)).length > 0, `${e.name} ran no Minima* kernel`);
    });
  }
});
