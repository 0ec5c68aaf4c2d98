/** Fused optimizer kernels on the wasm backend: bit-identical to the composite (pack) ops. */
import '../support/tf.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/backends/index.js';
import { optimizerRegistry } from '../../src/optim/index.js';
import { compareFused, compareProgramOps } from './fused-cases.js';
import { fusedSuite } from './fused-suite.js';
import { setWasmPrograms } from '../../src/backends/kernels/kernel.js';

await initBackend('wasm');

describe('fused optimizer kernels on wasm', () => {
  fusedSuite('wasm');
  test('the JS fallback for a shared heap (float32 sums in the same lane order) gives the same bits', () => {
    setWasmPrograms(false);
    try {
      assert.equal(compareProgramOps(), '');
      for (const name of ['adamw', 'momo', 'gam']) assert.equal(compareFused(optimizerRegistry.get(name).nested?.base ? { name, base: { name: 'sgd', lr: 0.05 } } : { name }), '', name);
    } finally {
      setWasmPrograms(true);
    }
  });
});
