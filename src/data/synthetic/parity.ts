import { z } from 'zod';
import { Rng } from '../../core/random.js';
import { optionError } from '../data-errors.js';
import { defineDataset } from '../define-dataset.js';
import type { RawSplit } from '../raw-data.js';
import type { DataDescription } from '../define-dataset.js';
import { classificationSpec, sampledData, sizeOptions, taskRng } from './sample-splits.js';

/** Short strings are enumerated, so train and test cannot ask for more strings than there are. */
function parityData(o: { readonly n_bits: number; readonly n_train: number; readonly n_test: number }): DataDescription {
  if (o.n_bits <= 20 && o.n_train + o.n_test > 2 ** o.n_bits) {
    throw optionError('n_train', `n_train + n_test = ${o.n_train + o.n_test} exceeds the ${2 ** o.n_bits} distinct ${o.n_bits}-bit strings`);
  }
  return sampledData(classificationSpec(o.n_bits, 2, ['even', 'odd']), o);
}

const encodingOption = z
  .enum(['pm1', 'binary'])
  .default('pm1')
  .describe('pm1: bit b is the input 1 − 2b (±1, Barak et al.); binary: the input is b itself (0/1).');

/**
 * Bit strings labelled by the XOR (sum mod 2) of the bits in `relevant`. When 2^n_bits is small
 * (≤ 2^20) train and test are distinct strings without overlap; otherwise strings are iid.
 */
function paritySplits(seed: number, name: string, nBits: number, relevant: readonly number[], nTrain: number, nTest: number, encoding: 'pm1' | 'binary') {
  const rng = Rng.derive(seed, name, 'strings');
  const enumerate = nBits <= 20;
  const codes = enumerate ? rng.permutation(2 ** nBits) : null;
  const make = (offset: number, n: number): RawSplit => {
    const x = new Float32Array(n * nBits);
    const y = new Int32Array(n);
    const bits = new Uint8Array(nBits);
    for (let i = 0; i < n; i++) {
      if (codes) for (let j = 0; j < nBits; j++) bits[j] = (codes[offset + i]! >>> j) & 1;
      else for (let j = 0; j < nBits; j++) bits[j] = rng.int(2);
      for (let j = 0; j < nBits; j++) x[i * nBits + j] = encoding === 'pm1' ? 1 - 2 * bits[j]! : bits[j]!;
      let s = 0;
      for (const j of relevant) s ^= bits[j]!;
      y[i] = s;
    }
    return { n, x, y };
  };
  return { train: make(0, nTrain), test: make(nTrain, nTest) };
}

export const parity = defineDataset({
  name: 'parity',
  summary: 'Full parity of n random bits (label = XOR of all bits).',
  options: {
    ...sizeOptions(1000, 1000),
    n_bits: z.int().min(1).max(64).default(12).describe('String length n.'),
    encoding: encodingOption,
  },
  describe: parityData,
  load(o, deps) {
    const relevant = Array.from({ length: o.n_bits }, (_, j) => j);
    return {
      spec: classificationSpec(o.n_bits, 2, ['even', 'odd']),
      ...paritySplits(deps.seed, 'parity', o.n_bits, relevant, o.n_train, o.n_test, o.encoding),
      meta: { source: 'synthetic: parity', n_bits: o.n_bits, encoding: o.encoding },
    };
  },
});

/** (n, k)-sparse parity (Barak et al. 2022, hidden progress): a secret set S of k bits from the data seed. */
export const sparseParity = defineDataset({
  name: 'sparse-parity',
  summary: '(n, k)-sparse parity: label = XOR of k secret bits out of n (secret set from the data seed).',
  info: { paper: 'Barak et al. 2022, Hidden progress in deep learning: SGD learns parities near the computational limit' },
  options: {
    ...sizeOptions(5000, 1000),
    n_bits: z.int().min(1).max(1024).default(50).describe('String length n.'),
    k: z.int().min(1).default(3).describe('Number of relevant bits k ≤ n.'),
    encoding: encodingOption,
  },
  describe(o) {
    if (o.k > o.n_bits) throw optionError('k', `k = ${o.k} exceeds n_bits = ${o.n_bits}`);
    return parityData(o);
  },
  load(o, deps) {
    const relevant = Array.from(taskRng(deps.seed, 'sparse-parity').permutation(o.n_bits).slice(0, o.k)).sort((a, b) => a - b);
    return {
      spec: classificationSpec(o.n_bits, 2, ['even', 'odd']),
      ...paritySplits(deps.seed, 'sparse-parity', o.n_bits, relevant, o.n_train, o.n_test, o.encoding),
      meta: { source: 'synthetic: sparse-parity', n_bits: o.n_bits, k: o.k, relevant_bits: relevant, encoding: o.encoding },
    };
  },
});
