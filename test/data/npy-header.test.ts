/** Issue 14: .npy headers are parsed strictly, as numpy writes them; anything else names the file. */
import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { npyHeader, parseNpy } from '../../src/data/files/npy.js';
import { parseIdx } from '../../src/data/files/idx.js';
import { RunnerError } from '../../src/core/errors.js';
import { idxBytes, npyBytes } from './make-fixtures.js';

/** A format-1.0 .npy with `dict` as its header text (padded to 64 bytes, ended by a newline). */
function withHeader(dict: string, data: Uint8Array = new Uint8Array(12)): Uint8Array {
  let header = dict;
  header += ' '.repeat(Math.max(0, 63 - ((10 + header.length) % 64))) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

const invalid = (buf: Uint8Array, pattern: RegExp) =>
  assert.throws(() => parseNpy(buf, 'f.npy'), (e: unknown) => e instanceof RunnerError && e.code === 'DATASET_INVALID' && e.message.startsWith('f.npy: ') && pattern.test(e.message));

test('headers as numpy writes them parse (key order, quotes, trailing comma, Python 2 longs)', () => {
  assert.deepEqual(npyHeader(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), 'f.npy').shape, [3]);
  assert.deepEqual(npyHeader(withHeader("{'shape': (1, 3), 'fortran_order': False, 'descr': '<f4'}"), 'f.npy').shape, [1, 3]);
  assert.deepEqual(npyHeader(withHeader('{"descr": "<i4", "fortran_order": False, "shape": (3L,)}'), 'f.npy').shape, [3]);
  assert.deepEqual(npyHeader(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", new Uint8Array(4)), 'f.npy').shape, []);
  assert.equal(parseNpy(npyBytes('<f4', [3], [1, 2, 3]), 'f.npy').length, 3);
});

test('trailing garbage, extra, missing or repeated keys and malformed values are errors naming the file', () => {
  const ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  invalid(withHeader(`${ok}garbage`), /unexpected text after the dict: "garbage/);
  invalid(withHeader(`${ok} }`), /unexpected text after the dict/);
  invalid(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'extra': 1}"), /unexpected key 'extra'/);
  invalid(withHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}"), /given twice/);
  invalid(withHeader("{'descr': '<f4', 'shape': (3,)}"), /needs descr, fortran_order and shape/);
  invalid(withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}"), /True or False/);
  invalid(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}"), /written \(n,\)/);
  invalid(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}"), /not a non-negative integer/);
  invalid(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1e3,)}"), /not a non-negative integer/);
  invalid(withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,)}"), /quoted string/);
  invalid(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999)}"), /too large/);
  invalid(withHeader("'descr': '<f4'"), /expected "\{"/);
  invalid(withHeader("{'descr': '<f4' 'fortran_order': False}"), /expected "," or "\}"/);
  invalid(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (3,)}"), /dtype '<c8' is not supported/);
});

test('idx: a non-finite float is an error naming the file', () => {
  assert.throws(() => parseIdx(idxBytes(0x0d, [3], [1, Number.NaN, 2]), 'x.idx'), /x\.idx: non-finite value NaN at flat index 1/);
});
