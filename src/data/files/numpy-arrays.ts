/** The `npy` and `npz` entries: NumPy arrays x/y (and optionally x_test/y_test) → a dataset. */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { Rng } from '../../core/random.js';
import type { DatasetDeps } from '../../core/types.js';
import { defineDataset, type DataDescription } from '../define-dataset.js';
import { invalidFile, missingFile, optionError } from '../data-errors.js';
import type { RawData, RawSplit } from '../raw-data.js';
import { stratifiedSplit } from '../stratified-split.js';
import { npyFeatures, npyHeader, npyHeaderBytes, npyLabels, npyMaxLabel, parseNpy, type NpyArray } from './npy.js';
import { dataLocation, readBytes, readFileHead } from './read-data-file.js';
import { readZip } from './zip.js';

const arrayOptions = {
  task: z.enum(['classification', 'regression']).default('classification').describe('classification: y holds integer class ids; regression: y is [N] or [N, D] float targets.'),
  num_classes: z.int().min(2).nullable().default(null).describe('Number of classes; null = largest label + 1.'),
  layout: z.enum(['nhwc', 'nchw']).default('nhwc').describe('Layout of 4-D image arrays; nchw (PyTorch) is transposed to [H, W, C] at load.'),
  scale: z.number().positive().nullable().default(null).describe('Multiplier for x; null = 1/255 for uint8 arrays, 1 otherwise.'),
  test_fraction: z.number().gt(0).lt(1).default(0.2).describe('Share held out for testing when no test arrays are given (seeded; stratified for classification).'),
};
type ArrayOptions = z.output<z.ZodObject<typeof arrayOptions>>;

/** What a header says about an array. */
interface ArrayHead {
  readonly file: string;
  readonly shape: readonly number[];
}

interface ArraySet<A extends ArrayHead = NpyArray> {
  readonly x: A;
  readonly y: A;
  readonly test?: { readonly x: A; readonly y: A };
}

function exampleShape(a: ArrayHead, layout: 'nhwc' | 'nchw'): number[] {
  const rest = a.shape.slice(1);
  if (a.shape.length === 0) throw invalidFile(a.file, 'x must have a leading example dimension, found a scalar');
  // an edited header can leave zero examples; name the file rather than fail later on the split
  if (a.shape[0] === 0) throw invalidFile(a.file, `holds no examples (shape (${a.shape.join(', ')}))`);
  if (rest.length === 0) return [1];
  if (rest.length === 1) return rest;
  if (rest.length === 2) return [...rest, 1];
  if (rest.length === 3) return layout === 'nchw' ? [rest[1]!, rest[2]!, rest[0]!] : rest;
  throw invalidFile(a.file, `x of shape (${a.shape.join(', ')}) has more than 3 dimensions per example`);
}

function features(a: NpyArray, o: ArrayOptions): Uint8Array | Float32Array {
  const data = npyFeatures(a);
  if (data instanceof Float32Array && o.scale !== null && o.scale !== 1) for (let i = 0; i < data.length; i++) data[i] = data[i]! * o.scale;
  if (o.layout === 'nhwc' || a.shape.length !== 4) return data;
  const [n, C, H, W] = a.shape as [number, number, number, number];
  const out = new (data.constructor as new (k: number) => Uint8Array | Float32Array)(data.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out[i * C * H * W + p * C + c] = data[i * C * H * W + c * H * W + p]!;
  return out;
}

function targets(a: NpyArray): Float32Array {
  const d = npyFeatures(a);
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

function rowsOf<T extends Uint8Array | Float32Array | Int32Array>(src: T, rows: Int32Array, width: number): T {
  const out = new (src.constructor as new (k: number) => T)(rows.length * width);
  rows.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/** train/test sizes when test arrays are absent (a seeded split of x by test_fraction). */
function splitSizes(n: number, o: ArrayOptions, file: string): { train: number; test: number } {
  const nTrain = Math.round(n * (1 - o.test_fraction));
  if (nTrain < 1 || nTrain >= n) throw optionError('test_fraction', `${n} examples in ${file} cannot be split with test_fraction ${o.test_fraction}`);
  return { train: nTrain, test: n - nTrain };
}

/** The description from the arrays' headers: the classes are known only when num_classes is given. */
function arraysData(set: ArraySet<ArrayHead>, o: ArrayOptions): DataDescription {
  const inputShape = exampleShape(set.x, o.layout);
  const n = set.x.shape[0]!;
  const sizes = set.test ? { train: n, test: set.test.x.shape[0]! } : splitSizes(n, o, set.x.file);
  if (o.task === 'regression') {
    const outputDim = set.y.shape.length === 2 ? set.y.shape[1]! : 1;
    return { spec: { task: o.task, inputShape, inputKind: 'dense', numClasses: 0, outputDim }, complete: true, sizes, asymmetricMap: false };
  }
  if (o.num_classes === null) return { spec: { task: o.task, inputShape, inputKind: 'dense' }, complete: false, sizes, asymmetricMap: false };
  return { spec: { task: o.task, inputShape, inputKind: 'dense', numClasses: o.num_classes, outputDim: o.num_classes }, complete: true, sizes, asymmetricMap: false };
}

/** What the options alone say (the files are missing). */
function arraysUnknown(o: ArrayOptions): DataDescription {
  const classes = o.task === 'regression' ? { numClasses: 0 } : o.num_classes === null ? {} : { numClasses: o.num_classes, outputDim: o.num_classes };
  return { spec: { task: o.task, inputKind: 'dense', ...classes }, complete: false, sizes: {}, asymmetricMap: false };
}

export function arraysToRaw(set: ArraySet, o: ArrayOptions, seed: number, source: string): RawData {
  const shape = exampleShape(set.x, o.layout);
  const D = shape.reduce((a, b) => a * b, 1);
  const classification = o.task === 'classification';
  const check = (x: NpyArray, y: NpyArray) => {
    const n = x.shape[0]!;
    if (y.shape[0] !== n) throw invalidFile(y.file, `${y.shape[0] ?? 'no'} labels for ${n} examples in ${x.file}`);
    if (classification && y.shape.length !== 1) throw invalidFile(y.file, `classification labels must be 1-D [N], found (${y.shape.join(', ')})`);
    if (!classification && y.shape.length > 2) throw invalidFile(y.file, `regression targets must be [N] or [N, D], found (${y.shape.join(', ')})`);
    if (x !== set.x && exampleShape(x, o.layout).join() !== shape.join()) {
      throw invalidFile(x.file, `examples of shape [${exampleShape(x, o.layout).join(', ')}] differ from the train examples [${shape.join(', ')}]`);
    }
  };
  check(set.x, set.y);
  if (set.test) check(set.test.x, set.test.y);
  const outDim = classification ? 0 : set.y.shape.length === 2 ? set.y.shape[1]! : 1;
  if (set.test && !classification && (set.test.y.shape[1] ?? 1) !== outDim) throw invalidFile(set.test.y.file, `targets have ${set.test.y.shape[1] ?? 1} columns, train targets ${outDim}`);
  const K = classification ? o.num_classes ?? Math.max(npyMaxLabel(set.y), set.test ? npyMaxLabel(set.test.y) : 0) : 0;
  if (classification && K < 2) throw invalidFile(set.y.file, 'labels hold a single class');
  const load = (x: NpyArray, y: NpyArray): RawSplit => ({ n: x.shape[0]!, x: features(x, o), y: classification ? npyLabels(y, K) : targets(y) });
  const uint8 = set.x.dtype === 'u1';
  if (set.test && (set.test.x.dtype === 'u1') !== uint8) throw invalidFile(set.test.x.file, `dtype ${set.test.x.dtype} differs from the train features' ${set.x.dtype}`);
  let train = load(set.x, set.y);
  let test: RawSplit;
  if (set.test) test = load(set.test.x, set.test.y);
  else {
    const n = train.n;
    const nTrain = splitSizes(n, o, set.x.file).train;
    const rng = Rng.derive(seed, 'array-split');
    const perm = rng.permutation(n);
    const split = classification ? stratifiedSplit(train.y, K, nTrain, undefined, rng) : { train: perm.slice(0, nTrain), test: perm.slice(nTrain) };
    const yw = classification ? 1 : outDim;
    const cut = (rows: Int32Array): RawSplit => ({ n: rows.length, x: rowsOf(train.x as Uint8Array | Float32Array, rows, D), y: rowsOf(train.y, rows, yw) });
    test = cut(split.test);
    train = cut(split.train);
  }
  return {
    spec: {
      task: o.task,
      inputShape: shape,
      inputKind: 'dense',
      numClasses: K,
      outputDim: classification ? K : outDim,
    },
    train,
    test,
    ...(uint8 ? { xScale: o.scale ?? 1 / 255 } : {}),
    meta: { source, dtype: set.x.dtype, layout: o.layout },
  };
}

const MISSING_HINT = 'Check the path (relative to the config file).';

function readNpyFile(path: string, deps: DatasetDeps): NpyArray {
  const file = dataLocation(path, deps, '');
  if (!existsSync(file)) throw missingFile(file, MISSING_HINT);
  return parseNpy(readBytes(file), file);
}

/** A .npy file's header alone. */
function readNpyHead(path: string, deps: DatasetDeps): ArrayHead {
  const file = dataLocation(path, deps, '');
  let head = readFileHead(file, 4096);
  if (npyHeaderBytes(head) > head.length) head = readFileHead(file, npyHeaderBytes(head));
  return { file, shape: npyHeader(head, file).shape };
}

/** The arrays of an archive under `keys`, by `read` (whole arrays, or headers only). */
function npzArrays<A extends ArrayHead>(file: string, entries: Map<string, Uint8Array>, keys: Readonly<Record<'x_train' | 'y_train' | 'x_test' | 'y_test', string>>, read: (data: Uint8Array, name: string) => A): ArraySet<A> {
  const get = (key: string): A | null => {
    const data = entries.get(`${key}.npy`) ?? entries.get(key);
    return data ? read(data, `${file}:${key}`) : null;
  };
  const need = (key: string): A => {
    const a = get(key);
    if (!a) throw invalidFile(file, `no array "${key}" in the archive; it holds ${[...entries.keys()].map((k) => k.replace(/\.npy$/, '')).join(', ')}`);
    return a;
  };
  const xt = get(keys.x_test);
  const yt = get(keys.y_test);
  if ((xt === null) !== (yt === null)) throw invalidFile(file, `"${keys.x_test}" and "${keys.y_test}" must both be present or both absent`);
  return { x: need(keys.x_train), y: need(keys.y_train), ...(xt && yt ? { test: { x: xt, y: yt } } : {}) };
}

function npzFile(path: string, deps: DatasetDeps): string {
  const file = dataLocation(path, deps, '');
  if (!existsSync(file)) throw missingFile(file, MISSING_HINT);
  return file;
}

export const npy = defineDataset({
  name: 'npy',
  summary: 'NumPy .npy arrays: x and y (and optionally x_test, y_test), images [N,H,W(,C)] or vectors [N,D].',
  options: {
    x: z.string().min(1).describe('Features .npy (relative to the config file): [N, D], [N, H, W] or [N, H, W, C].'),
    y: z.string().min(1).describe('Labels .npy: [N] class ids, or [N] / [N, D] regression targets.'),
    x_test: z.string().min(1).nullable().default(null).describe('Test features .npy; null = split x/y by test_fraction.'),
    y_test: z.string().min(1).nullable().default(null).describe('Test labels .npy (required with x_test).'),
    ...arrayOptions,
  },
  describe(o, deps) {
    if ((o.x_test === null) !== (o.y_test === null)) throw optionError(o.x_test ? 'y_test' : 'x_test', 'x_test and y_test go together');
    const paths = [o.x, o.y, ...(o.x_test && o.y_test ? [o.x_test, o.y_test] : [])];
    // a missing file leaves the shapes unknown; loading reports it (DATASET_MISSING)
    if (paths.some((p) => !existsSync(dataLocation(p, deps, '')))) return arraysUnknown(o);
    const set: ArraySet<ArrayHead> = {
      x: readNpyHead(o.x, deps),
      y: readNpyHead(o.y, deps),
      ...(o.x_test && o.y_test ? { test: { x: readNpyHead(o.x_test, deps), y: readNpyHead(o.y_test, deps) } } : {}),
    };
    return arraysData(set, o);
  },
  load(o, deps) {
    const x = readNpyFile(o.x, deps);
    const set: ArraySet = {
      x,
      y: readNpyFile(o.y, deps),
      ...(o.x_test && o.y_test ? { test: { x: readNpyFile(o.x_test, deps), y: readNpyFile(o.y_test, deps) } } : {}),
    };
    return arraysToRaw(set, o, deps.seed, `npy ${x.file}`);
  },
});

export const npz = defineDataset({
  name: 'npz',
  summary: 'A NumPy .npz archive (np.savez or savez_compressed) with x_train/y_train[/x_test/y_test] arrays (keys configurable).',
  options: {
    path: z.string().min(1).describe('The .npz file (relative to the config file).'),
    keys: z
      .strictObject({
        x_train: z.string().default('x_train'),
        y_train: z.string().default('y_train'),
        x_test: z.string().default('x_test'),
        y_test: z.string().default('y_test'),
      })
      .default({ x_train: 'x_train', y_train: 'y_train', x_test: 'x_test', y_test: 'y_test' })
      .describe('Array names in the archive (Keras mnist.npz uses the defaults); without the test pair, test_fraction splits the train pair.'),
    ...arrayOptions,
  },
  describe(o, deps) {
    const file = dataLocation(o.path, deps, '');
    if (!existsSync(file)) return arraysUnknown(o);
    // only the start of each entry is inflated: the .npy header is all describe needs
    const entries = readZip(readBytes(file), file, 4096);
    return arraysData(npzArrays(file, entries, o.keys, (data, name) => ({ file: name, shape: npyHeader(data, name).shape })), o);
  },
  load(o, deps) {
    const file = npzFile(o.path, deps);
    const entries = readZip(readBytes(file), file);
    return arraysToRaw(npzArrays(file, entries, o.keys, parseNpy), o, deps.seed, `npz ${file}`);
  },
});
