/**
 * The optimizers a whole-model check trains with: every one that has a fused kernel (the code that
 * differs between backends and from the composite recipe) plus composites of each kind built from tf
 * ops alone (a per-tensor trust ratio, an RMS denominator, evaluations that vary by step, a mask
 * wrapper). MINIMA_TEST_MATRIX=1 (`npm run test:matrix`) takes every optimizer of the registry.
 */
import { optimizerRegistry } from '../../src/optim/index.js';

const COMPOSITES = ['lamb', 'rmsprop', 'looksam', 'cautious'];

export function wholeModelOptimizers(): string[] {
  const all = optimizerRegistry.entries;
  return (process.env.MINIMA_TEST_MATRIX ? all : all.filter((e) => e.fused !== undefined || COMPOSITES.includes(e.name))).map((e) => e.name);
}
