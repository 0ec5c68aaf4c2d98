import { tf } from '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RunnerError } from '../../src/core/errors.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { all, build } from './helpers.js';
import {
  cifarPixel, cifarRecords, idxBytes, idxPixel, npyBytes, writeCifar10, writeCifar100, writeFile, writeIdxFolder, zipBytes,
} from './make-fixtures.js';

/** Asserts a RunnerError with `code` whose message names `file` and matches `pattern`. */
async function failsWith(p: Promise<unknown>, code: string, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RunnerError, `expected RunnerError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.includes(file), `message should name ${file}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('idx: gzipped and plain folders load with shapes, labels and pixels /255', async () => {
  await withTmpDir(async (root) => {
    writeIdxFolder(join(root, 'mnist'), 30, 10, true);
    writeIdxFolder(join(root, 'plain'), 30, 10, false);
    const a = await build({ name: 'idx' }, 0, root);
    const b = await build({ name: 'idx', path: 'plain', variant: 'fashion-mnist' }, 0, root, root);
    for (const ds of [a, b]) {
      assert.deepEqual(ds.sizes, { train: 30, test: 10 });
      assert.deepEqual(ds.spec.inputShape, [6, 5, 1]);
      const { x, y } = all(ds, 'train');
      assert.ok(x instanceof Float32Array);
      for (let i = 0; i < 30; i++) assert.equal(y[i], i % 10);
      // image 7, pixel (h=2, w=3): (7·31 + 2·5 + 3) mod 256 = 230 → 230/255
      assert.ok(Math.abs(x[7 * 30 + 2 * 5 + 3]! - idxPixel(7, 2, 3) / 255) < 1e-7);
      assert.ok(Math.abs(idxPixel(7, 2, 3) - 230) === 0);
    }
    assert.equal(b.spec.classNames?.[9], 'Ankle boot');
  });
});

test('idx: truncated, corrupt, mismatched and missing files are clear errors', async () => {
  await withTmpDir(async (root) => {
    const dir = join(root, 'mnist');
    writeIdxFolder(dir, 20, 10, false);
    const images = join(dir, 'train-images-idx3-ubyte');
    const full = readFileSync(images);
    writeFileSync(images, full.subarray(0, full.length - 7));
    await failsWith(build({ name: 'idx' }, 0, root), 'DATASET_INVALID', images, /truncated/);
    writeFileSync(images, Buffer.concat([Buffer.from([1, 2, 3, 4]), full.subarray(4)]));
    await failsWith(build({ name: 'idx' }, 0, root), 'DATASET_INVALID', images, /not an IDX file/);
    writeFileSync(images, full);
    const labels = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(labels, idxBytes(0x08, [20], Uint8Array.from({ length: 20 }, (_, i) => (i === 13 ? 12 : 1))));
    await failsWith(build({ name: 'idx' }, 0, root), 'DATASET_INVALID', labels, /label 12 at index 13/);
    writeFileSync(labels, idxBytes(0x08, [19], new Uint8Array(19)));
    await failsWith(build({ name: 'idx' }, 0, root), 'DATASET_INVALID', labels, /19 labels for 20 images/);
    rmSync(labels);
    writeFileSync(`${labels}.gz`, gzipSync(idxBytes(0x08, [20], new Uint8Array(20))).subarray(0, 25));
    await failsWith(build({ name: 'idx' }, 0, root), 'DATASET_INVALID', `${labels}.gz`, /corrupt or truncated gzip/);
    await failsWith(build({ name: 'idx', variant: 'kmnist' }, 0, root), 'DATASET_MISSING', join(root, 'kmnist'), /minima data fetch kmnist/);
  });
});

test('cifar10: five batches + test, HWC uint8 scaled per batch, class names', async () => {
  await withTmpDir(async (root) => {
    writeCifar10(join(root, 'cifar10'), 4, 6);
    writeFile(join(root, 'cifar10', 'batches.meta.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n');
    const ds = await build({ name: 'cifar10', random_crop: 4, horizontal_flip: true, normalize: true }, 0, root);
    assert.deepEqual(ds.sizes, { train: 20, test: 6 });
    assert.deepEqual(ds.spec.inputShape, [32, 32, 3]);
    assert.equal(ds.spec.classNames?.[3], 'd');
    const plain = await build({ name: 'cifar10' }, 0, root);
    const { x, y } = plain.gather('train', Int32Array.from([13]));
    // record 13 (batch 3, record 1): label 13 mod 10 = 3; HWC pixel (h=1, w=2, c=2) is CHW byte 2·1024 + 34
    assert.equal(y[0], 3);
    assert.ok(Math.abs(x[(1 * 32 + 2) * 3 + 2]! - cifarPixel(13, 2, 34) / 255) < 1e-7);
    const stats = (ds.meta.transforms as { normalize: { mean: number[] } }).normalize;
    assert.equal(stats.mean.length, 3);
  });
});

test('cifar10: a cut record, a short batch and a bad label are errors', async () => {
  await withTmpDir(async (root) => {
    const dir = join(root, 'cifar10');
    writeCifar10(dir, 3, 2);
    const b2 = join(dir, 'data_batch_2.bin');
    const bytes = readFileSync(b2);
    writeFileSync(b2, bytes.subarray(0, bytes.length - 100));
    await failsWith(build({ name: 'cifar10' }, 0, root), 'DATASET_INVALID', b2, /not a whole number of 3073-byte records/);
    writeFileSync(b2, bytes.subarray(0, 2 * 3073));
    await failsWith(build({ name: 'cifar10' }, 0, root), 'DATASET_INVALID', b2, /2 records, but .*data_batch_1.bin has 3/);
    writeFileSync(b2, cifarRecords(3, () => [10]));
    await failsWith(build({ name: 'cifar10' }, 0, root), 'DATASET_INVALID', b2, /label 10 of record 0/);
    rmSync(join(dir, 'test_batch.bin'));
    await failsWith(build({ name: 'cifar10' }, 0, root), 'DATASET_MISSING', 'test_batch.bin', /minima data fetch cifar10/);
  });
});

test('cifar100: fine and coarse labels; superclass asymmetric noise', async () => {
  await withTmpDir(async (root) => {
    writeCifar100(join(root, 'cifar100', 'cifar-100-binary'), 200, 20);
    const fine = await build({ name: 'cifar100' }, 0, root);
    const coarse = await build({ name: 'cifar100', label_mode: 'coarse' }, 0, root);
    assert.equal(fine.spec.numClasses, 100);
    assert.equal(coarse.spec.numClasses, 20);
    const f = all(fine, 'train').y;
    const c = all(coarse, 'train').y;
    for (let r = 0; r < 200; r++) { assert.equal(f[r], r % 100); assert.equal(c[r], Math.floor((r % 100) / 5)); }
    const noisy = all(await build({ name: 'cifar100', label_noise: { type: 'asymmetric', rate: 1 } }, 0, root), 'train');
    // superclass s holds fine classes 5s..5s+4; each flips to the next one, circularly
    for (let r = 0; r < 200; r++) {
      const k = r % 100;
      assert.equal(noisy.y[r], 5 * Math.floor(k / 5) + ((k % 5) + 1) % 5);
    }
  });
});

test('csv: named columns, categorical labels recorded, regression targets, separate test file', async () => {
  await withTmpDir(async (dir) => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},"${i % 3 === 0 ? 'setosa' : i % 3 === 1 ? 'versicolor' : 'virginica'}",${i * 0.5},${-i}`);
    writeFile(join(dir, 'iris.csv'), `a,species,b,target\n${rows.join('\n')}\n`);
    const ds = await build({ name: 'csv', path: 'iris.csv', label: 'species', features: ['b', 'a'], test_fraction: 0.25 }, 1, dir, dir);
    assert.deepEqual(ds.sizes, { train: 30, test: 10 });
    assert.deepEqual(ds.spec.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(ds.meta.label_map, { setosa: 0, versicolor: 1, virginica: 2 });
    const { x, y } = all(ds, 'train');
    for (let r = 0; r < 30; r++) {
      const a = x[2 * r + 1]!;
      assert.equal(x[2 * r], a * 0.5);
      assert.equal(y[r], a % 3);
    }
    const reg = await build({ name: 'csv', path: 'iris.csv', task: 'regression', label: ['target', 'b'], features: ['a'], test_path: 'iris.csv' }, 0, dir, dir);
    assert.equal(reg.spec.outputDim, 2);
    const t = all(reg, 'test');
    assert.ok(t.y instanceof Float32Array);
    assert.deepEqual(Array.from(t.y.subarray(6, 8)), [-3, 1.5]);
    writeFile(join(dir, 'bad.csv'), 'a,label\n1,0\n2,1\nx2,0\n');
    await failsWith(build({ name: 'csv', path: 'bad.csv' }, 0, dir, dir), 'DATASET_INVALID', 'bad.csv', /row 3 \(line 4\), column "a": "x2"/);
    writeFile(join(dir, 'ragged.csv'), 'a,label\n1,0\n2\n');
    await failsWith(build({ name: 'csv', path: 'ragged.csv' }, 0, dir, dir), 'DATASET_INVALID', 'ragged.csv', /line 3 has 1 fields/);
    await failsWith(build({ name: 'csv', path: 'iris.csv', label: 'kind' }, 0, dir, dir), 'DATASET_INVALID', 'iris.csv', /no label column "kind"/);
    await failsWith(build({ name: 'csv', path: 'none.csv' }, 0, dir, dir), 'DATASET_MISSING', 'none.csv', /not found/);
  });
});

test('npy: dtypes, endianness, images, a test pair, and broken files', async () => {
  await withTmpDir(async (dir) => {
    const n = 10;
    writeFile(join(dir, 'x.npy'), npyBytes('>f8', [n, 3], Array.from({ length: n * 3 }, (_, i) => i / 4)));
    writeFile(join(dir, 'y.npy'), npyBytes('<i8', [n], Array.from({ length: n }, (_, i) => i % 3)));
    const ds = await build({ name: 'npy', x: 'x.npy', y: 'y.npy', test_fraction: 0.3 }, 0, dir, dir);
    assert.deepEqual(ds.sizes, { train: 7, test: 3 });
    assert.equal(ds.spec.numClasses, 3);
    const { x, y } = all(ds, 'train');
    for (let r = 0; r < 7; r++) {
      const row = x[3 * r]! * 4 / 3; // first feature of example i is 3i/4
      assert.equal(y[r], row % 3);
      assert.equal(x[3 * r + 2], x[3 * r]! + 0.5);
    }
    writeFile(join(dir, 'img.npy'), npyBytes('|u1', [4, 2, 3, 5], Array.from({ length: 120 }, (_, i) => i)));
    writeFile(join(dir, 'lab.npy'), npyBytes('>i2', [4], [0, 1, 1, 0]));
    const img = await build({ name: 'npy', x: 'img.npy', y: 'lab.npy', x_test: 'img.npy', y_test: 'lab.npy', layout: 'nchw' }, 0, dir, dir);
    assert.deepEqual(img.spec.inputShape, [3, 5, 2]);
    // nchw → nhwc: element (n=1, h=2, w=4, c=1) came from flat 1·30 + 1·15 + 2·5 + 4 = 59
    assert.ok(Math.abs(img.gather('test', Int32Array.from([1])).x[(2 * 5 + 4) * 2 + 1]! - 59 / 255) < 1e-7);
    const trunc = join(dir, 'trunc.npy');
    writeFile(trunc, npyBytes('<f4', [n, 3], new Float32Array(n * 3)).subarray(0, 100));
    await failsWith(build({ name: 'npy', x: 'trunc.npy', y: 'y.npy' }, 0, dir, dir), 'DATASET_INVALID', trunc, /truncated/);
    writeFile(join(dir, 'f.npy'), npyBytes('<f4', [n, 3], new Float32Array(n * 3), true));
    await failsWith(build({ name: 'npy', x: 'f.npy', y: 'y.npy' }, 0, dir, dir), 'DATASET_INVALID', 'f.npy', /Fortran/);
    writeFile(join(dir, 'short.npy'), npyBytes('|i1', [n - 1], new Array(n - 1).fill(0)));
    await failsWith(build({ name: 'npy', x: 'x.npy', y: 'short.npy' }, 0, dir, dir), 'DATASET_INVALID', 'short.npy', /9 labels for 10 examples/);
    writeFile(join(dir, 'neg.npy'), npyBytes('<i4', [n], [0, 1, 2, -1, 0, 1, 2, 0, 1, 2]));
    await failsWith(build({ name: 'npy', x: 'x.npy', y: 'neg.npy' }, 0, dir, dir), 'DATASET_INVALID', 'neg.npy', /label -1 at index 3/);
    // torture finds: a header edited to zero examples, and a flipped byte making a label 2^40
    writeFile(join(dir, 'empty.npy'), npyBytes('<f4', [0, 3], []));
    await failsWith(build({ name: 'npy', x: 'empty.npy', y: 'y.npy' }, 0, dir, dir), 'DATASET_INVALID', 'empty.npy', /holds no examples/);
    writeFile(join(dir, 'huge.npy'), npyBytes('<i8', [n], [0, 1, 2, 2 ** 40, 0, 1, 2, 0, 1, 2]));
    await failsWith(build({ name: 'npy', x: 'x.npy', y: 'huge.npy' }, 0, dir, dir), 'DATASET_INVALID', 'huge.npy', /label 1099511627776 at index 3 is too large/);
    writeFile(join(dir, 'c16.npy'), npyBytes('<f4', [2], [0, 0]).map((b, i) => (i === 22 ? 0x63 : b)));
    await failsWith(build({ name: 'npy', x: 'c16.npy', y: 'y.npy' }, 0, dir, dir), 'DATASET_INVALID', 'c16.npy', /not supported/);
  });
});

test('npz: stored and deflated archives; truncated, corrupt and incomplete archives fail', async () => {
  await withTmpDir(async (dir) => {
    const arrays = {
      'x_train.npy': npyBytes('<f4', [6, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      'y_train.npy': npyBytes('<i8', [6], [0, 1, 0, 1, 0, 1]),
      'x_test.npy': npyBytes('<f4', [2, 2], [20, 21, 22, 23]),
      'y_test.npy': npyBytes('<i8', [2], [1, 0]),
    };
    for (const deflate of [false, true]) {
      const file = writeFile(join(dir, `d${deflate}.npz`), zipBytes(arrays, deflate));
      const ds = await build({ name: 'npz', path: file }, 0, dir, dir);
      assert.deepEqual(ds.sizes, { train: 6, test: 2 });
      assert.deepEqual(Array.from(ds.gather('test', Int32Array.from([1])).x), [22, 23]);
      assert.deepEqual(Array.from(all(ds, 'train').y), [0, 1, 0, 1, 0, 1]);
    }
    const stored = zipBytes(arrays, false);
    writeFile(join(dir, 'cut.npz'), stored.subarray(0, stored.length - 30));
    await failsWith(build({ name: 'npz', path: 'cut.npz' }, 0, dir, dir), 'DATASET_INVALID', 'cut.npz', /truncated/);
    // a central entry whose extra-field length runs past the end of the file: corrupt, not a crash
    const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
    const central = view.getUint32(stored.length - 22 + 16, true);
    const badExtra = Uint8Array.from(stored);
    new DataView(badExtra.buffer).setUint16(central + 30, 0xffff, true);
    writeFile(join(dir, 'extra.npz'), badExtra);
    await failsWith(build({ name: 'npz', path: 'extra.npz' }, 0, dir, dir), 'DATASET_INVALID', 'extra.npz', /corrupt zip\/npz archive/);
    const flipped = Uint8Array.from(stored);
    flipped[200] = flipped[200]! ^ 0xff; // inside the stored x_train data
    writeFile(join(dir, 'crc.npz'), flipped);
    await failsWith(build({ name: 'npz', path: 'crc.npz' }, 0, dir, dir), 'DATASET_INVALID', 'crc.npz', /CRC-32 mismatch/);
    writeFile(join(dir, 'half.npz'), zipBytes({ 'x_train.npy': arrays['x_train.npy'], 'y_train.npy': arrays['y_train.npy'], 'x_test.npy': arrays['x_test.npy'] }, true));
    await failsWith(build({ name: 'npz', path: 'half.npz' }, 0, dir, dir), 'DATASET_INVALID', 'half.npz', /both be present/);
    writeFile(join(dir, 'keys.npz'), zipBytes({ 'a.npy': arrays['x_train.npy'], 'b.npy': arrays['y_train.npy'] }, true));
    const split = await build({ name: 'npz', path: 'keys.npz', keys: { x_train: 'a', y_train: 'b' }, test_fraction: 0.5 }, 0, dir, dir);
    assert.deepEqual(split.sizes, { train: 3, test: 3 });
    await failsWith(build({ name: 'npz', path: 'keys.npz' }, 0, dir, dir), 'DATASET_INVALID', 'keys.npz', /no array "x_train".*holds a, b/);
    assert.ok(tf.memory().numTensors >= 0);
  });
});
