import { z } from 'zod';
import { Rng } from '../../core/random.js';
import { optionError } from '../data-errors.js';
import type { DataSpec } from '../../core/types.js';
import { defineDataset, knownData } from '../define-dataset.js';

export const MODULAR_OPS = ['add', 'sub', 'mul', 'div', 'x2_plus_y2', 'a2_plus_ab_plus_b2'] as const;
export type ModularOp = (typeof MODULAR_OPS)[number];

export function isPrime(p: number): boolean {
  if (p < 2) return false;
  for (let d = 2; d * d <= p; d++) if (p % d === 0) return false;
  return true;
}

/** b^e mod p by squaring; operands stay below 2^26, so products are exact in doubles. */
function powMod(b: number, e: number, p: number): number {
  let r = 1;
  b %= p;
  while (e > 0) {
    if (e & 1) r = (r * b) % p;
    b = (b * b) % p;
    e >>>= 1;
  }
  return r;
}

/** a ∘ b mod p; division multiplies by the inverse b^(p−2) (Fermat, p prime, b ≠ 0). */
export function modularOp(op: ModularOp, a: number, b: number, p: number): number {
  switch (op) {
    case 'add': return (a + b) % p;
    case 'sub': return (((a - b) % p) + p) % p;
    case 'mul': return (a * b) % p;
    case 'div': return (a * powMod(b, p - 2, p)) % p;
    case 'x2_plus_y2': return (a * a + b * b) % p;
    case 'a2_plus_ab_plus_b2': return (a * a + a * b + b * b) % p;
  }
}

const modularSpec = (p: number): Omit<DataSpec, 'classCounts'> => ({ task: 'classification', inputShape: [2], inputKind: 'tokens', vocabSize: p, numClasses: p, outputDim: p });

/** All pairs (b ≠ 0 for div) and how many of them train takes. */
function pairCounts(o: { readonly p: number; readonly op: ModularOp; readonly train_fraction: number }): { total: number; nTrain: number } {
  const total = o.p * (o.op === 'div' ? o.p - 1 : o.p);
  return { total, nTrain: Math.min(total - 1, Math.max(1, Math.floor(o.train_fraction * total))) };
}

/**
 * Every pair (a, b) of a binary operation mod p (Power et al., grokking): inputs are the token
 * pair [a, b] (vocabulary p), the label is a ∘ b mod p. A seeded permutation of the pairs puts
 * ⌊train_fraction·N⌋ of them in train and the rest in test. p = 97 gives 9,409 pairs (9,312 for div).
 */
export const modularArithmetic = defineDataset({
  name: 'modular-arithmetic',
  summary: 'All pairs a∘b mod p (add, sub, mul, div, a²+b², a²+ab+b²) as token pairs; the grokking task.',
  info: { paper: 'Power et al. 2022, Grokking' },
  options: {
    p: z.int().min(2).max(2048).default(97).describe('Modulus (prime for div); also the vocabulary size and number of classes.'),
    op: z.enum(MODULAR_OPS).default('add').describe('Operation: add, sub, mul, div (b ≠ 0, modular inverse), x2_plus_y2 (a²+b²), a2_plus_ab_plus_b2.'),
    train_fraction: z.number().gt(0).lt(1).default(0.5).describe('Fraction of all pairs used for training (the rest is the test set).'),
  },
  describe(o) {
    if (o.op === 'div' && !isPrime(o.p)) throw optionError('p', `division needs a prime modulus; ${o.p} is not prime`);
    const { total, nTrain } = pairCounts(o);
    return knownData(modularSpec(o.p), { train: nTrain, test: total - nTrain });
  },
  load(o, deps) {
    const { p, op } = o;
    const pairs: number[] = [];
    for (let a = 0; a < p; a++) for (let b = op === 'div' ? 1 : 0; b < p; b++) pairs.push(a, b);
    const { total, nTrain } = pairCounts(o);
    const order = Rng.derive(deps.seed, 'modular-arithmetic', 'split').permutation(total);
    const take = (from: number, to: number) => {
      const n = to - from;
      const x = new Int32Array(n * 2);
      const y = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const r = order[from + i]!;
        const a = pairs[2 * r]!, b = pairs[2 * r + 1]!;
        x[2 * i] = a; x[2 * i + 1] = b;
        y[i] = modularOp(op, a, b, p);
      }
      return { n, x, y };
    };
    return {
      spec: modularSpec(p),
      train: take(0, nTrain),
      test: take(nTrain, total),
      meta: { source: `synthetic: ${op} mod ${p}`, pairs: total, train_fraction: o.train_fraction },
    };
  },
});
