/**
 * CIFAR-10 / CIFAR-100, binary versions (Krizhevsky 2009). A record is the label byte(s) then
 * 3072 pixel bytes, channel-major (1024 R, 1024 G, 1024 B); images are stored here as uint8
 * [32, 32, 3] (HWC) and scaled to [0, 1] per batch.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DataSpec, DatasetDeps } from '../../core/types.js';
import { defineDataset } from '../define-dataset.js';
import { invalidFile, missingFile } from '../data-errors.js';
import type { RawSplit } from '../raw-data.js';
import { dataLocation, fetchHint, findFile, readBytes } from './read-data-file.js';
import { RunnerError } from '../../core/errors.js';

const PIXELS = 3072;

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** Zhang & Sabuncu / Ma et al. CIFAR-10 map: truck→automobile, bird→airplane, deer→horse, cat↔dog. */
const CIFAR10_ASYMMETRIC = new Map([[9, 1], [2, 0], [4, 7], [3, 5], [5, 3]]);

interface Records {
  readonly file: string;
  readonly count: number;
}

/** Checks a record file's size (without reading it, so files are decoded one at a time). */
function records(file: string, labelBytes: number, hint: string): Records {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw invalidFile(file, 'is a folder, not a file');
    size = st.size;
  } catch (err) {
    if (err instanceof RunnerError) throw err;
    throw missingFile(file, hint);
  }
  const record = labelBytes + PIXELS;
  if (size === 0 || size % record !== 0) {
    throw invalidFile(file, `size ${size} is not a whole number of ${record}-byte records (truncated or not a CIFAR binary file)`);
  }
  return { file, count: size / record };
}

/**
 * Concatenates record files into HWC uint8 images and the labels at `labelOffset` of each
 * record. Files are read one at a time, so the peak is the images plus one file.
 */
function decode(parts: readonly Records[], labelBytes: number, labelOffset: number, numClasses: number): RawSplit & { fine?: Int32Array; coarse?: Int32Array } {
  const n = parts.reduce((a, p) => a + p.count, 0);
  const x = new Uint8Array(n * PIXELS);
  const y = new Int32Array(n);
  const all = labelBytes === 2 ? { coarse: new Int32Array(n), fine: new Int32Array(n) } : {};
  let row = 0;
  for (const p of parts) {
    const src = readBytes(p.file);
    if (src.length !== p.count * (labelBytes + PIXELS)) throw invalidFile(p.file, 'changed size while being read');
    for (let r = 0; r < p.count; r++, row++) {
      const base = r * (labelBytes + PIXELS);
      const label = src[base + labelOffset]!;
      if (label >= numClasses) throw invalidFile(p.file, `label ${label} of record ${r} is outside [0, ${numClasses})`);
      y[row] = label;
      if (all.coarse && all.fine) {
        const coarse = src[base]!;
        const fine = src[base + 1]!;
        if (coarse >= 20 || fine >= 100) throw invalidFile(p.file, `labels (coarse ${coarse}, fine ${fine}) of record ${r} are out of range`);
        all.coarse[row] = coarse;
        all.fine[row] = fine;
      }
      const px = base + labelBytes;
      const out = row * PIXELS;
      for (let i = 0; i < 1024; i++) {
        const o = out + i * 3;
        x[o] = src[px + i]!;
        x[o + 1] = src[px + 1024 + i]!;
        x[o + 2] = src[px + 2048 + i]!;
      }
    }
  }
  return { n, x, y, ...all };
}

/** The folder with the .bin files: `dir` itself or the archive's own sub-folder inside it. */
function binFolder(dir: string, marker: string, archiveDir: string): string {
  return findFile(dir, [marker]) ? dir : findFile(join(dir, archiveDir), [marker]) ? join(dir, archiveDir) : dir;
}

function readNames(dir: string, file: string, count: number): string[] | undefined {
  const f = findFile(dir, [file]);
  if (!f) return undefined;
  const names = readBytes(f).toString('utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  return names.length === count ? names : undefined;
}

const CIFAR10_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

function cifar10Folder(path: string | null, deps: DatasetDeps): string {
  return binFolder(dataLocation(path, deps, 'cifar10'), 'test_batch.bin', 'cifar-10-batches-bin');
}

function cifar10Spec(dir: string): Omit<DataSpec, 'classCounts'> {
  return { task: 'classification', inputShape: [32, 32, 3], inputKind: 'dense', numClasses: 10, outputDim: 10, classNames: readNames(dir, 'batches.meta.txt', 10) ?? CIFAR10_CLASSES };
}

/** The five train batches and the test batch, checked by size (stat only). */
function cifar10Records(dir: string): { batches: Records[]; test: Records } {
  const hint = fetchHint('cifar10');
  const batches = CIFAR10_FILES.slice(0, 5).map((f) => records(join(dir, f), 1, hint));
  const first = batches[0]!;
  for (const b of batches) {
    if (b.count !== first.count) throw invalidFile(b.file, `${b.count} records, but ${first.file} has ${first.count} (a truncated batch?)`);
  }
  return { batches, test: records(join(dir, 'test_batch.bin'), 1, hint) };
}

export const cifar10 = defineDataset({
  name: 'cifar10',
  summary: 'CIFAR-10, binary version (data_batch_1..5.bin, test_batch.bin): 50k/10k 32×32×3 images, 10 classes.',
  info: { fetch: 'minima data fetch cifar10' },
  options: {
    path: z.string().min(1).nullable().default(null).describe('Folder with the .bin files (relative to the config file); default <datasets root>/cifar10.'),
  },
  describe(o, deps) {
    const dir = cifar10Folder(o.path, deps);
    const spec = cifar10Spec(dir);
    // missing files leave the sizes unknown; loading reports them (DATASET_MISSING)
    if (CIFAR10_FILES.some((f) => !existsSync(join(dir, f)))) return { spec, complete: true, sizes: {}, asymmetricMap: true };
    const { batches, test } = cifar10Records(dir);
    return { spec, complete: true, sizes: { train: batches.reduce((n, b) => n + b.count, 0), test: test.count }, asymmetricMap: true };
  },
  load(o, deps) {
    const dir = cifar10Folder(o.path, deps);
    const { batches, test } = cifar10Records(dir);
    return {
      spec: cifar10Spec(dir),
      train: decode(batches, 1, 0, 10),
      test: decode([test], 1, 0, 10),
      xScale: 1 / 255,
      asymmetricMap: CIFAR10_ASYMMETRIC,
      meta: { source: `CIFAR-10 binary version (Krizhevsky 2009), ${dir}` },
    };
  },
});

/** CIFAR-100 asymmetric noise (Patrini et al.): each fine class flips to the next one of its superclass, circularly. */
function superclassMap(fine: Int32Array, coarse: Int32Array): Map<number, number> {
  const members = new Map<number, Set<number>>();
  for (let i = 0; i < fine.length; i++) {
    if (!members.has(coarse[i]!)) members.set(coarse[i]!, new Set());
    members.get(coarse[i]!)!.add(fine[i]!);
  }
  const map = new Map<number, number>();
  for (const set of members.values()) {
    const ids = [...set].sort((a, b) => a - b);
    ids.forEach((id, j) => map.set(id, ids[(j + 1) % ids.length]!));
  }
  return map;
}

function cifar100Folder(path: string | null, deps: DatasetDeps): string {
  return binFolder(dataLocation(path, deps, 'cifar100'), 'test.bin', 'cifar-100-binary');
}

function cifar100Spec(dir: string, labelMode: 'fine' | 'coarse'): Omit<DataSpec, 'classCounts'> {
  const K = labelMode === 'fine' ? 100 : 20;
  const names = readNames(dir, `${labelMode}_label_names.txt`, K);
  return { task: 'classification', inputShape: [32, 32, 3], inputKind: 'dense', numClasses: K, outputDim: K, ...(names ? { classNames: names } : {}) };
}

export const cifar100 = defineDataset({
  name: 'cifar100',
  summary: 'CIFAR-100, binary version (train.bin, test.bin): 50k/10k 32×32×3 images, 100 fine or 20 coarse classes.',
  info: { fetch: 'minima data fetch cifar100' },
  options: {
    path: z.string().min(1).nullable().default(null).describe('Folder with train.bin/test.bin (relative to the config file); default <datasets root>/cifar100.'),
    label_mode: z.enum(['fine', 'coarse']).default('fine').describe('fine: 100 classes; coarse: the 20 superclasses.'),
  },
  describe(o, deps) {
    const dir = cifar100Folder(o.path, deps);
    const spec = cifar100Spec(dir, o.label_mode);
    const asymmetricMap = o.label_mode === 'fine';
    // missing files leave the sizes unknown; loading reports them (DATASET_MISSING)
    if (['train.bin', 'test.bin'].some((f) => !existsSync(join(dir, f)))) return { spec, complete: true, sizes: {}, asymmetricMap };
    const hint = fetchHint('cifar100');
    const [train, test] = ['train.bin', 'test.bin'].map((f) => records(join(dir, f), 2, hint));
    return { spec, complete: true, sizes: { train: train!.count, test: test!.count }, asymmetricMap };
  },
  load(o, deps) {
    const hint = fetchHint('cifar100');
    const dir = cifar100Folder(o.path, deps);
    const K = o.label_mode === 'fine' ? 100 : 20;
    const offset = o.label_mode === 'fine' ? 1 : 0;
    const train = decode([records(join(dir, 'train.bin'), 2, hint)], 2, offset, K);
    const test = decode([records(join(dir, 'test.bin'), 2, hint)], 2, offset, K);
    return {
      spec: cifar100Spec(dir, o.label_mode),
      train: { n: train.n, x: train.x, y: train.y },
      test: { n: test.n, x: test.x, y: test.y },
      xScale: 1 / 255,
      ...(o.label_mode === 'fine' ? { asymmetricMap: superclassMap(train.fine!, train.coarse!) } : {}),
      meta: { source: `CIFAR-100 binary version (Krizhevsky 2009), ${dir}`, label_mode: o.label_mode },
    };
  },
});
