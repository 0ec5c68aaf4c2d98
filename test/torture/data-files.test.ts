/**
 * Issue 14 torture: malformed data files of every supported format (csv, npy, npz, idx plain and
 * gzipped, CIFAR-10, CIFAR-100): truncated, wrong magic, wrong dtype, wrong sizes, flipped bytes,
 * garbage, a folder where a file belongs. `validate` and `data info` (which loads the data) on each,
 * in process and a few through bin/minima.js: exit 0 (the damage left a valid file) or exit 2
 * naming a data file of the case, never exit 1 or a stack trace. Seeded by MINIMA_TORTURE_SEED;
 * MINIMA_TORTURE_DATA_CASES cases per format (default 40).
 */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execute } from '../../src/cli/main.js';
import { captureContext } from '../sweep/helpers.js';
import { distBuilt, minima } from '../support/cli.js';
import { prng, tortureSeed } from '../support/config-fuzzer.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { npyBytes, writeCifar10, writeCifar100, writeFile, writeIdxFolder, zipBytes } from '../data/make-fixtures.js';

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Each format: writes a valid fixture into `dir` and returns the dataset spec that reads it. */
const formats: Record<string, (dir: string, r: Rand) => Record<string, unknown>> = {
  csv: (dir, r) => {
    const n = int(r, 6, 40);
    writeFile(join(dir, 'd.csv'), `u,v,label\n${Array.from({ length: n }, (_, i) => `${i},${(i * 7) % 5},${i % 2}`).join('\n')}\n`);
    return { name: 'csv', path: 'd.csv', test_fraction: 0.3 };
  },
  npy: (dir, r) => {
    const n = int(r, 6, 30);
    writeFile(join(dir, 'x.npy'), npyBytes(pick(r, ['<f4', '|u1', '>f8'] as const), [n, 2, 2], Array.from({ length: n * 4 }, (_, i) => i % 200)));
    writeFile(join(dir, 'y.npy'), npyBytes(pick(r, ['<i8', '<i4', '|u1'] as const), [n], Array.from({ length: n }, (_, i) => i % 2)));
    return { name: 'npy', x: 'x.npy', y: 'y.npy', test_fraction: 0.3 };
  },
  npz: (dir, r) => {
    const n = int(r, 6, 30);
    writeFile(join(dir, 'd.npz'), zipBytes({
      'x_train.npy': npyBytes('<f4', [n, 3], Array.from({ length: n * 3 }, (_, i) => i)),
      'y_train.npy': npyBytes('<i8', [n], Array.from({ length: n }, (_, i) => i % 2)),
      'x_test.npy': npyBytes('<f4', [4, 3], Array.from({ length: 12 }, (_, i) => i)),
      'y_test.npy': npyBytes('<i8', [4], [0, 1, 0, 1]),
    }, r() < 0.5));
    return { name: 'npz', path: 'd.npz' };
  },
  idx: (dir, r) => {
    writeIdxFolder(dir, int(r, 10, 30), int(r, 5, 10), r() < 0.5, 4, 3);
    return { name: 'idx', path: '.' };
  },
  cifar10: (dir, r) => {
    writeCifar10(dir, int(r, 1, 3), int(r, 2, 5));
    return { name: 'cifar10', path: '.' };
  },
  cifar100: (dir, r) => {
    writeCifar100(dir, int(r, 100, 120), int(r, 2, 5));
    return { name: 'cifar100', path: '.' };
  },
};

const random = (r: Rand, n: number) => Uint8Array.from({ length: n }, () => int(r, 0, 255));

/** Damage to one file's bytes; returns what was done (for the replay message). */
function damage(r: Rand, bytes: Uint8Array, csv: boolean): { bytes: Uint8Array | null; what: string } {
  const b = Uint8Array.from(bytes);
  const flip = (from: number, to: number, k: number) => {
    for (let i = 0; i < k && to > from; i++) {
      const at = int(r, from, to - 1);
      b[at] = b[at]! ^ int(r, 1, 255);
    }
  };
  const textual: (() => { bytes: Uint8Array | null; what: string })[] = [
    () => {
      const lines = new TextDecoder().decode(bytes).split('\n');
      const row = int(r, 1, Math.max(1, lines.length - 2));
      const cells = (lines[row] ?? '').split(',');
      cells[int(r, 0, cells.length - 1)] = pick(r, ['', 'NaN', 'nan', 'abc', '-1', '1e999', '"', '2.5', ' ', 'Infinity', '0x1']);
      lines[row] = cells.join(',');
      return { bytes: new TextEncoder().encode(lines.join('\n')), what: `cell in line ${row + 1}` };
    },
    () => ({ bytes: new TextEncoder().encode(new TextDecoder().decode(bytes).replace(/^u,v,label/, pick(r, ['u,u,label', 'u,v', 'u,v,label,w', 'label,v,label', ',,', '"u,v,label']))), what: 'header' }),
    () => ({ bytes: new TextEncoder().encode(new TextDecoder().decode(bytes).split('\n')[0]!), what: 'header only' }),
    () => ({ bytes: new TextEncoder().encode(new TextDecoder().decode(bytes).replace(/,/, '')), what: 'a delimiter removed' }),
    () => ({ bytes: new TextEncoder().encode(new TextDecoder().decode(bytes).replace(/\n/g, '\r')), what: 'CR line ends' }),
  ];
  const binary: (() => { bytes: Uint8Array | null; what: string })[] = [
    () => ({ bytes: b.subarray(0, int(r, 0, b.length - 1)), what: 'truncated' }),
    () => { flip(0, Math.min(b.length, 80), int(r, 1, 4)); return { bytes: b, what: 'header bytes flipped' }; },
    () => { flip(0, b.length, int(r, 1, 8)); return { bytes: b, what: 'bytes flipped' }; },
    () => { b.set(random(r, Math.min(4, b.length))); return { bytes: b, what: 'wrong magic' }; },
    () => ({ bytes: Buffer.concat([b, random(r, int(r, 1, 100))]), what: 'garbage appended' }),
    () => ({ bytes: random(r, int(r, 0, 3000)), what: 'garbage' }),
    () => ({ bytes: new Uint8Array(0), what: 'empty' }),
    () => ({ bytes: null, what: 'a folder instead of the file' }),
    () => ({ bytes: gzipSync(random(r, int(r, 0, 500))), what: 'gzipped garbage' }),
    () => {
      const gz = gzipSync(b);
      return { bytes: gz.subarray(0, int(r, 2, gz.length - 1)), what: 'truncated gzip' };
    },
    () => {
      // dtype and shape swaps inside a .npy-like header (same length, so the offsets stay)
      const text = Buffer.from(b).toString('latin1')
        .replace(/'[<>|]([fiu])(\d)'/, () => `'${pick(r, ['<c8', '<U3', '|b1', '>f4', '<i2', '|O8'])}'`)
        .replace(/\((\d+)([,)])/, (_, d: string, e: string) => `(${pick(r, [String(Number(d) + 1), String(Math.max(0, Number(d) - 1)), '0', '9'.repeat(d.length)]).slice(0, d.length).padStart(d.length, '0')}${e}`);
      return { bytes: Buffer.from(text, 'latin1'), what: 'dtype/shape edited' };
    },
    () => {
      // dims of an IDX header set huge or to zero
      if (b.length >= 8) new DataView(b.buffer).setUint32(4, pick(r, [0, 0xffffffff, 1 << 20, 1]), false);
      return { bytes: b, what: 'first dim edited' };
    },
  ];
  return pick(r, csv && r() < 0.6 ? textual : binary)();
}

const CONFIG = (dataset: Record<string, unknown>) => `name: t
dataset: ${JSON.stringify(dataset)}
model: {name: mlp, hidden: [4]}
loss: {name: cross-entropy}
optimizer: {name: sgd, lr: 0.1}
train: {steps: 1, batch_size: 4}
backend: cpu
`;

const STACK = /\n\s+at .+[:(]\d+:\d+\)?|internal error/;

interface Case {
  readonly dir: string;
  readonly what: string;
}

function makeCase(root: string, seed: number, format: string, index: number): Case {
  const r = prng((seed ^ Math.imul(index + 1, 0x85ebca6b) ^ format.length * 0x27d4eb2f) >>> 0);
  const dir = join(root, `${format}-${index}`);
  mkdirSync(dir, { recursive: true });
  const dataset = formats[format]!(dir, r);
  writeFileSync(join(dir, 'exp.yaml'), CONFIG(dataset));
  const files = readdirSync(dir).filter((f) => f !== 'exp.yaml' && statSync(join(dir, f)).isFile());
  const target = pick(r, files);
  const d = damage(r, readFileSync(join(dir, target)), format === 'csv');
  rmSync(join(dir, target));
  if (d.bytes === null) mkdirSync(join(dir, target));
  else writeFileSync(join(dir, target), d.bytes);
  return { dir, what: `${format} case ${index}: ${target} ${d.what}` };
}

function check(seed: number, c: Case, command: string, code: number | null, stderr: string): void {
  const shown = `MINIMA_TORTURE_SEED=${seed}, ${c.what}, minima ${command}\nexit ${code}\nstderr: ${stderr.slice(0, 2000)}`;
  assert.ok(code === 0 || code === 2, `exit 0 or 2: ${shown}`);
  assert.doesNotMatch(stderr, STACK, `no stack trace: ${shown}`);
  // a rejection names a data file (or the data folder) of the case, by its full path
  if (code === 2) assert.ok(stderr.includes(c.dir), `the error names the file: ${shown}`);
}

const seed = tortureSeed();
const perFormat = Number(process.env.MINIMA_TORTURE_DATA_CASES ?? 40);

test(`malformed data files, ${perFormat} cases per format, in process (MINIMA_TORTURE_SEED=${seed})`, async (t) => {
  t.diagnostic(`MINIMA_TORTURE_SEED=${seed}`);
  process.stderr.write(`data-file torture: MINIMA_TORTURE_SEED=${seed}, ${perFormat} cases per format\n`);
  await withTmpDir(async (root) => {
    const rejected: Record<string, number> = {};
    for (const format of Object.keys(formats)) {
      for (let i = 0; i < perFormat; i++) {
        const c = makeCase(root, seed, format, i);
        for (const command of [['validate', 'exp.yaml'], ['data', 'info', 'exp.yaml']]) {
          const cap = captureContext(c.dir);
          const code = await execute(['node', 'minima', ...command], cap.ctx);
          check(seed, c, command.join(' '), code, cap.err());
          if (code === 2) rejected[format] = (rejected[format] ?? 0) + 1;
        }
        rmSync(c.dir, { recursive: true, force: true });
      }
    }
    t.diagnostic(`rejected (of ${2 * perFormat} commands per format): ${JSON.stringify(rejected)}`);
    for (const format of Object.keys(formats)) assert.ok((rejected[format] ?? 0) >= perFormat / 2, `most ${format} cases are rejected: ${rejected[format] ?? 0}`);
  });
});

test(`malformed data files through bin/minima.js data info, one per format (MINIMA_TORTURE_SEED=${seed})`, { skip: !distBuilt && 'dist/ is not built' }, async () => {
  await withTmpDir((root) => {
    for (const format of Object.keys(formats)) {
      const c = makeCase(root, seed, format, 1_000_000);
      const r = minima(['data', 'info', 'exp.yaml'], c.dir);
      check(seed, c, 'data info exp.yaml', r.code, r.stderr);
    }
  });
});
