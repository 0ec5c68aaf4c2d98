/** Writers for tiny data files in every supported format (the tests build their fixtures with these). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

function put(file: string, bytes: Uint8Array): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

/** IDX: magic 0 0 type ndim, big-endian uint32 dims, big-endian data. */
export function idxBytes(type: 0x08 | 0x0d, dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  const size = type === 0x08 ? 1 : 4;
  const buf = new Uint8Array(4 + 4 * dims.length + values.length * size);
  const v = new DataView(buf.buffer);
  buf[2] = type;
  buf[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  const o = 4 + 4 * dims.length;
  for (let i = 0; i < values.length; i++) {
    if (type === 0x08) buf[o + i] = values[i]!;
    else v.setFloat32(o + 4 * i, values[i]!, false);
  }
  return buf;
}

/** Pixel (image i, h, w) of the IDX fixtures: (i·31 + h·5 + w) mod 256. */
export const idxPixel = (i: number, h: number, w: number) => (i * 31 + h * 5 + w) % 256;

/** An MNIST-style folder: nTrain/nTest H×W images, label i mod 10. */
export function writeIdxFolder(dir: string, nTrain: number, nTest: number, gzip: boolean, H = 6, W = 5): void {
  for (const [prefix, n] of [['train', nTrain], ['t10k', nTest]] as const) {
    const px = new Uint8Array(n * H * W);
    for (let i = 0; i < n; i++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) px[(i * H + h) * W + w] = idxPixel(i, h, w);
    const images = idxBytes(0x08, [n, H, W], px);
    const labels = idxBytes(0x08, [n], Uint8Array.from({ length: n }, (_, i) => i % 10));
    const z = (b: Uint8Array) => (gzip ? gzipSync(b) : b);
    put(join(dir, `${prefix}-images-idx3-ubyte${gzip ? '.gz' : ''}`), z(images));
    put(join(dir, `${prefix}-labels-idx1-ubyte${gzip ? '.gz' : ''}`), z(labels));
  }
}

/** Channel c of pixel p of CIFAR record r: (r·7 + c·50 + p) mod 256. */
export const cifarPixel = (r: number, c: number, p: number) => (r * 7 + c * 50 + p) % 256;

export function cifarRecords(n: number, labels: (r: number) => readonly number[], first = 0): Uint8Array {
  const lb = labels(0).length;
  const out = new Uint8Array(n * (lb + 3072));
  for (let r = 0; r < n; r++) {
    const base = r * (lb + 3072);
    labels(first + r).forEach((l, j) => { out[base + j] = l; });
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[base + lb + c * 1024 + p] = cifarPixel(first + r, c, p);
  }
  return out;
}

/** CIFAR-10 folder with `per` records in each of the 5 train batches and `test` test records; label r mod 10. */
export function writeCifar10(dir: string, per: number, test: number): void {
  for (let b = 1; b <= 5; b++) put(join(dir, `data_batch_${b}.bin`), cifarRecords(per, (r) => [r % 10], (b - 1) * per));
  put(join(dir, 'test_batch.bin'), cifarRecords(test, (r) => [r % 10]));
}

/** CIFAR-100 folder: record r has fine label r mod 100 and coarse label ⌊fine/5⌋. */
export function writeCifar100(dir: string, train: number, test: number): void {
  const labels = (r: number) => [Math.floor((r % 100) / 5), r % 100];
  put(join(dir, 'train.bin'), cifarRecords(train, labels));
  put(join(dir, 'test.bin'), cifarRecords(test, labels));
}

type Dtype = '<f4' | '>f8' | '|u1' | '<i8' | '<i4' | '>i2' | '|i1' | '<f8';

/** A .npy (format 1.0) with the header padded so the data starts at a multiple of 64. */
export function npyBytes(dtype: Dtype, shape: readonly number[], values: ArrayLike<number>, fortran = false): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const size = Number(dtype.slice(2));
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const v = new DataView(out.buffer);
  v.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const le = dtype[0] !== '>';
  const o = 10 + header.length;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    switch (dtype.slice(1)) {
      case 'f4': v.setFloat32(o + 4 * i, x, le); break;
      case 'f8': v.setFloat64(o + 8 * i, x, le); break;
      case 'u1': v.setUint8(o + i, x); break;
      case 'i1': v.setInt8(o + i, x); break;
      case 'i2': v.setInt16(o + 2 * i, x, le); break;
      case 'i4': v.setInt32(o + 4 * i, x, le); break;
      default: v.setBigInt64(o + 8 * i, BigInt(x), le);
    }
  }
  return out;
}

/** A zip archive (what np.savez writes), entries stored or deflated. */
export function zipBytes(entries: Readonly<Record<string, Uint8Array>>, deflate: boolean): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const nameBytes = new TextEncoder().encode(name);
    const body = deflate ? deflateRawSync(data) : data;
    const crc = crc32(data) >>> 0;
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return Buffer.concat([...locals, ...centrals, end]);
}

export function writeFile(file: string, bytes: Uint8Array | string): string {
  return put(file, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
}

/** A ustar archive of regular files (what `tar c` writes), for the fetch extraction test. */
export function tarBytes(entries: Readonly<Record<string, Uint8Array>>): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(entries)) {
    const h = new Uint8Array(512);
    const put = (s: string, at: number) => h.set(new TextEncoder().encode(s), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('        ', 148);
    h[156] = 0x30;
    put('ustar\0', 257);
    put('00', 263);
    const sum = h.reduce((a, b) => a + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}
