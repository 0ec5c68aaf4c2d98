/** Fused optimizer kernels on the cpu backend (the oracle): bit-identical to the composite ops. */
import { tf } from '../support/tf.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inplaceTests } from './fused-inplace.js';
import { compareFused, compareProgramOps, fusedSpecs, fusedKernelsOfStep } from './fused-cases.js';
import { optimizerRegistry } from '../../src/optim/index.js';

describe('fused optimizer kernels on cpu', () => {
  test('the backend is cpu', () => assert.equal(tf.getBackend(), 'cpu'));
  inplaceTests();
  test('every program op and sum equals its tf op bit for bit (SIMD loop and scalar tail, ±0, ties)', () => {
    assert.equal(compareProgramOps(), '');
  });
  for (const spec of fusedSpecs()) {
    test(`${JSON.stringify(spec)}: fused = composite, bit for bit`, () => {
      assert.equal(compareFused(spec), '');
    });
  }
  // guards against comparing the composite path with itself
  for (const e of optimizerRegistry.entries) {
    test(`${e.name} runs fused kernels on cpu`, async () => {
      const names = await fusedKernelsOfStep(e.name);
      assert.ok(names.length > 0, `${e.name} ran no Minima* kernel`);
    });
  }
});
