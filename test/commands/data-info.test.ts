import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { crc32, inflateSync } from 'node:zlib';
import { dataInfo } from '../../src/commands/data-info.js';
import { UnknownNameError } from '../../src/core/errors.js';
import { datasetRegistry } from '../../src/data/index.js';
import { withTmpDir } from '../support/tmp-dir.js';

function ctx(cwd: string) {
  const out = { stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c) => { out.stdout += String(c); });
  stderr.on('data', (c) => { out.stderr += String(c); });
  return { c: { stdout, stderr, cwd }, out };
}

/** Splits a PNG into chunks, checking every CRC. */
function chunks(png: Buffer): Map<string, Buffer> {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out = new Map<string, Buffer>();
  for (let p = 8; p < png.length;) {
    const len = png.readUInt32BE(p);
    const type = png.toString('latin1', p + 4, p + 8);
    assert.equal(png.readUInt32BE(p + 8 + len), crc32(png.subarray(p + 4, p + 8 + len)) >>> 0, `${type} CRC`);
    out.set(type, png.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  return out;
}

test('data info: mnist spec prints sizes and class balance and writes a decodable sample grid', async () => {
  await withTmpDir(async (dir) => {
    const spec = { name: 'mnist', train_size: 500, test_size: 100 };
    const { c, out } = ctx(dir);
    const report = await dataInfo({ target: spec, out: 'grid.png', root: 'datasets' }, c);
    assert.match(out.stdout, /sizes {8}train 500, test 100/);
    assert.match(out.stdout, /input {8}\[28, 28, 1\] dense/);
    assert.equal(report.classes?.length, 10);
    assert.equal(report.classes?.reduce((a, k) => a + k.train, 0), 500);
    const png = readFileSync(join(dir, 'grid.png'));
    const parts = chunks(png);
    const ihdr = parts.get('IHDR')!;
    // 8 columns and 10 rows of 28-pixel tiles with 2-pixel gaps: 8·30 + 2 = 242 wide, 10·30 + 2 = 302 high, gray
    assert.equal(ihdr.readUInt32BE(0), 242);
    assert.equal(ihdr.readUInt32BE(4), 302);
    assert.equal(ihdr[9], 0);
    const raw = inflateSync(parts.get('IDAT')!);
    assert.equal(raw.length, 243 * 302); // a filter byte + 242 pixels per row
    // tile (row 0, column 0) is the first training example of digit 0; MNIST spans 0..1 so bytes = round(255·v)
    const ds = await datasetRegistry.build(spec, ['dataset'], { seed: 0, root: dir, configDir: dir });
    const all = ds.gather('train', Int32Array.from({ length: 500 }, (_, i) => i));
    const first0 = Array.from(all.y).indexOf(0);
    const x = ds.gather('train', Int32Array.from([first0])).x;
    for (const [h, w] of [[14, 14], [10, 12], [5, 20]] as const) {
      assert.equal(raw[(2 + h) * 243 + 1 + 2 + w], Math.round(255 * x[h * 28 + w]!), `pixel ${h},${w}`);
    }
    assert.equal(raw[1], 255); // gap
  });
});

test('data info: json output; no grid for non-images; unknown names suggest', async () => {
  await withTmpDir(async (dir) => {
    const { c, out } = ctx(dir);
    await dataInfo({ target: 'moons', json: true, out: 'x.png', root: dir }, c);
    const report = JSON.parse(out.stdout);
    assert.deepEqual(report.sizes, { train: 1000, test: 1000 });
    assert.deepEqual(report.classes.map((k: { train: number }) => k.train), [500, 500]);
    assert.match(out.stderr, /not image data/);
    assert.ok(!existsSync(join(dir, 'x.png')));
    await assert.rejects(dataInfo({ target: 'mnsit', root: dir }, c), (e: unknown) => e instanceof UnknownNameError && /did you mean "mnist"/.test(e.message));
  });
});
