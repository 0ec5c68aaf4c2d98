/**
 * IDX files (the MNIST family: MNIST, Fashion-MNIST, KMNIST), gzipped or not, named as the
 * standard distributions: {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz].
 */
import { join } from 'node:path';
import { z } from 'zod';
import { defineDataset } from '../define-dataset.js';
import { invalidFile, missingFile } from '../data-errors.js';
import { MNIST_ASYMMETRIC } from '../mnist.js';
import type { RawSplit } from '../raw-data.js';
import { dataLocation, fetchHint, findFile, readDataFile, readFileHead } from './read-data-file.js';

const TYPES: Record<number, { name: string; size: number; read: (v: DataView, o: number) => number }> = {
  0x08: { name: 'uint8', size: 1, read: (v, o) => v.getUint8(o) },
  0x09: { name: 'int8', size: 1, read: (v, o) => v.getInt8(o) },
  0x0b: { name: 'int16', size: 2, read: (v, o) => v.getInt16(o, false) },
  0x0c: { name: 'int32', size: 4, read: (v, o) => v.getInt32(o, false) },
  0x0d: { name: 'float32', size: 4, read: (v, o) => v.getFloat32(o, false) },
  0x0e: { name: 'float64', size: 8, read: (v, o) => v.getFloat64(o, false) },
};

export interface IdxArray {
  readonly dims: readonly number[];
  readonly type: string;
  /** uint8 data stays bytes; every other type is converted to float32. */
  readonly data: Uint8Array | Float32Array;
}

/** The element type, dims and header length of an IDX file from its first bytes. */
function idxHeader(buf: Uint8Array, file: string) {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw invalidFile(file, 'not an IDX file (the first two bytes must be 0)');
  const type = TYPES[buf[2]!];
  if (!type) throw invalidFile(file, `unknown IDX element type 0x${buf[2]!.toString(16)}`);
  const ndim = buf[3]!;
  const header = 4 + 4 * ndim;
  if (ndim === 0 || buf.length < header) throw invalidFile(file, 'truncated IDX header');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { type, header, dims, view };
}

export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  const { type, header, dims, view } = idxHeader(buf, file);
  const count = dims.reduce((a, b) => a * b, 1);
  const want = header + count * type.size;
  if (buf.length < want) throw invalidFile(file, `truncated: dims [${dims.join(', ')}] need ${want} bytes, the file has ${buf.length}`);
  if (buf.length > want) throw invalidFile(file, `${buf.length - want} unexpected bytes after the data (dims [${dims.join(', ')}])`);
  if (type.size === 1 && type.name === 'uint8') return { dims, type: type.name, data: new Uint8Array(buf.subarray(header)) };
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = type.read(view, header + i * type.size);
    if (!Number.isFinite(v)) throw invalidFile(file, `non-finite value ${v} at flat index ${i}`);
    data[i] = v;
  }
  return { dims, type: type.name, data };
}

const VARIANTS = {
  mnist: { classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], source: 'MNIST (LeCun, Cortes, Burges)' },
  'fashion-mnist': {
    classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    source: 'Fashion-MNIST (Zalando Research, MIT)',
  },
  kmnist: { classes: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'], source: 'Kuzushiji-MNIST (ROIS-DS CODH, CC BY-SA 4.0)' },
} as const;

function locate(dir: string, stem: string, variant: string): string {
  const f = findFile(dir, [`${stem}.gz`, stem]);
  if (!f) throw missingFile(join(dir, `${stem}[.gz]`), fetchHint(variant));
  return f;
}

/** The files of both splits, in the order the loader reads them. */
const STEMS = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

/** [N, H, W] of an images file from its header. */
function imageDims(file: string): [number, number, number] {
  const { dims } = idxHeader(readFileHead(file, 16), file);
  if (dims.length !== 3) throw invalidFile(file, `expected images [N, H, W], found dims [${dims.join(', ')}]`);
  return dims as [number, number, number];
}

function loadPair(dir: string, prefix: 'train' | 't10k', variant: string, numClasses: number): { split: RawSplit; H: number; W: number } {
  const imagesFile = locate(dir, `${prefix}-images-idx3-ubyte`, variant);
  const labelsFile = locate(dir, `${prefix}-labels-idx1-ubyte`, variant);
  const images = parseIdx(readDataFile(imagesFile, fetchHint(variant)), imagesFile);
  const labels = parseIdx(readDataFile(labelsFile, fetchHint(variant)), labelsFile);
  if (images.dims.length !== 3) throw invalidFile(imagesFile, `expected images [N, H, W], found dims [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw invalidFile(labelsFile, `expected labels [N], found dims [${labels.dims.join(', ')}]`);
  const [n, H, W] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) throw invalidFile(labelsFile, `${labels.dims[0]} labels for ${n} images in ${imagesFile}`);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.data[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw invalidFile(labelsFile, `label ${v} at index ${i} is outside [0, ${numClasses})`);
    y[i] = v;
  }
  return { split: { n, x: images.data, y }, H, W };
}

export const idx = defineDataset({
  name: 'idx',
  summary: 'MNIST / Fashion-MNIST / KMNIST from the standard IDX files (gzipped or not).',
  info: { fetch: 'minima data fetch mnist|fashion-mnist|kmnist' },
  options: {
    variant: z.enum(['mnist', 'fashion-mnist', 'kmnist']).default('mnist').describe('Which distribution: sets the default folder <root>/<variant>, the class names and the asymmetric-noise map.'),
    path: z.string().min(1).nullable().default(null).describe('Folder holding the four IDX files (relative to the config file); default <datasets root>/<variant>.'),
    num_classes: z.int().min(2).default(10).describe('Labels must lie in [0, num_classes).'),
  },
  describe(o, deps) {
    const dir = dataLocation(o.path, deps, o.variant);
    const names = o.num_classes === 10 ? VARIANTS[o.variant].classes : undefined;
    const spec = { task: 'classification', inputKind: 'dense', numClasses: o.num_classes, outputDim: o.num_classes, ...(names ? { classNames: names } : {}) } as const;
    const asymmetricMap = o.variant === 'mnist';
    // missing files leave the image size unknown; loading reports them (DATASET_MISSING)
    if (STEMS.some((stem) => !findFile(dir, [`${stem}.gz`, stem]))) return { spec, complete: false, sizes: {}, asymmetricMap };
    const [train, , test] = STEMS.map((stem) => locate(dir, stem, o.variant));
    const [nTrain, H, W] = imageDims(train!);
    const [nTest] = imageDims(test!);
    return { spec: { ...spec, inputShape: [H, W, 1] }, complete: true, sizes: { train: nTrain, test: nTest }, asymmetricMap };
  },
  load(o, deps) {
    const dir = dataLocation(o.path, deps, o.variant);
    const train = loadPair(dir, 'train', o.variant, o.num_classes);
    const test = loadPair(dir, 't10k', o.variant, o.num_classes);
    if (train.H !== test.H || train.W !== test.W) throw invalidFile(dir, `train images are ${train.H}×${train.W} but test images ${test.H}×${test.W}`);
    const images = train.split.x instanceof Uint8Array;
    if (images !== test.split.x instanceof Uint8Array) throw invalidFile(dir, 'train and test images have different IDX element types');
    const v = VARIANTS[o.variant];
    const names = o.num_classes === 10 ? v.classes : undefined;
    return {
      spec: {
        task: 'classification',
        inputShape: [train.H, train.W, 1],
        inputKind: 'dense',
        numClasses: o.num_classes,
        outputDim: o.num_classes,
        ...(names ? { classNames: names } : {}),
      },
      train: train.split,
      test: test.split,
      ...(images ? { xScale: 1 / 255 } : {}),
      ...(o.variant === 'mnist' ? { asymmetricMap: MNIST_ASYMMETRIC } : {}),
      meta: { source: `${v.source}, IDX files in ${dir}` },
    };
  },
});
