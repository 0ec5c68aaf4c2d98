/**
 * NumPy .npy arrays (format versions 1–3): float32/float64/uint8/int8/int16/int32/int64, little or
 * big endian, C order. uint8 stays bytes; other dtypes are converted when the role is known.
 */
import { classIdTooLarge, invalidFile, MAX_CLASS_ID } from '../data-errors.js';

const ITEM: Record<string, number> = { f4: 4, f8: 8, u1: 1, i1: 1, i2: 2, i4: 4, i8: 8 };

export interface NpyArray {
  readonly file: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly length: number;
  readonly littleEndian: boolean;
  /** The raw element bytes (a view). */
  readonly bytes: Uint8Array;
}

/** The dtype, shape and data offset of a .npy file from its first bytes (the header). */
export function npyHeader(buf: Uint8Array, file: string) {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (buf.length < 10 || magic.some((b, i) => buf[i] !== b)) throw invalidFile(file, 'not a .npy file (bad magic)');
  const major = buf[6]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (major < 1 || major > 3) throw invalidFile(file, `unsupported .npy format version ${major}`);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (buf.length < start + headerLen) throw invalidFile(file, 'truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + headerLen));
  const fields = parseHeaderDict(header, file);
  const order = fields.descr.slice(0, 1).match(/[<>|=]/) ? fields.descr[0]! : '';
  const dtype = fields.descr.slice(order.length);
  const item = ITEM[dtype];
  if (!item) throw invalidFile(file, `dtype '${fields.descr}' is not supported (float32/64, uint8, int8/16/32/64)`);
  if (fields.fortran) throw invalidFile(file, 'Fortran-ordered array; save it C-ordered (np.ascontiguousarray)');
  const shape = fields.shape;
  const length = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(length * item)) throw invalidFile(file, `shape (${shape.join(', ')}) is too large`);
  return { dtype, shape, length, item, order, dataStart: start + headerLen };
}

/**
 * The header dict, read strictly as numpy writes it (format.py `_write_array_header`): a Python
 * literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` with exactly these three
 * keys, padded with spaces and ended by a newline. Anything else (a missing or extra key, trailing
 * text) is an error: a header that only looks right might describe other data.
 */
function parseHeaderDict(header: string, file: string): { descr: string; fortran: boolean; shape: number[] } {
  const bad = (why: string): never => {
    throw invalidFile(file, `cannot parse the .npy header ${JSON.stringify(header.length > 200 ? `${header.slice(0, 200)}…` : header)}: ${why}`);
  };
  let i = 0;
  const space = () => { while (i < header.length && (header[i] === ' ' || header[i] === '\t')) i++; };
  const expect = (ch: string) => {
    space();
    if (header[i] !== ch) bad(`expected "${ch}" at character ${i}`);
    i++;
  };
  const string = (): string => {
    space();
    const q = header[i];
    if (q !== "'" && q !== '"') return bad(`expected a quoted string at character ${i}`);
    const end = header.indexOf(q, i + 1);
    if (end < 0) return bad('unterminated string');
    const out = header.slice(i + 1, end);
    i = end + 1;
    return out;
  };
  const fields: { descr?: string; fortran?: boolean; shape?: number[] } = {};
  expect('{');
  for (;;) {
    space();
    if (header[i] === '}') { i++; break; }
    const key = string();
    expect(':');
    space();
    if (key === 'descr' && fields.descr === undefined) fields.descr = string();
    else if (key === 'fortran_order' && fields.fortran === undefined) {
      const m = /^(True|False)/.exec(header.slice(i));
      if (!m) bad('fortran_order must be True or False');
      fields.fortran = m![1] === 'True';
      i += m![1]!.length;
    } else if (key === 'shape' && fields.shape === undefined) {
      expect('(');
      const close = header.indexOf(')', i);
      if (close < 0) bad('unterminated shape');
      const inner = header.slice(i, close).trim();
      i = close + 1;
      const parts = inner === '' ? [] : inner.replace(/,\s*$/, '').split(',').map((d) => d.trim());
      if (parts.length === 1 && !/,\s*$/.test(inner)) bad('a one-dimensional shape is written (n,)');
      fields.shape = parts.map((d) => {
        if (!/^\d+L?$/.test(d)) bad(`shape entry "${d}" is not a non-negative integer`);
        const n = Number(d.replace(/L$/, ''));
        if (!Number.isSafeInteger(n)) bad(`shape entry ${d} is too large`);
        return n;
      });
    } else bad(fields[key as keyof typeof fields] !== undefined ? `key '${key}' given twice` : `unexpected key '${key}'`);
    space();
    if (header[i] === ',') i++;
    else if (header[i] !== '}') bad(`expected "," or "}" at character ${i}`);
  }
  if (!/^[ \t]*\n?[ \t]*$/.test(header.slice(i))) bad(`unexpected text after the dict: ${JSON.stringify(header.slice(i, i + 40))}`);
  if (fields.descr === undefined || fields.fortran === undefined || fields.shape === undefined) bad('it needs descr, fortran_order and shape');
  return fields as { descr: string; fortran: boolean; shape: number[] };
}

/** Bytes of a .npy file that hold its whole header (magic, version, length field and header). */
export function npyHeaderBytes(prefix: Uint8Array): number {
  if (prefix.length < 12) return 12;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  return prefix[6] === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true);
}

export function parseNpy(buf: Uint8Array, file: string): NpyArray {
  const { dtype, shape, length, item, order, dataStart } = npyHeader(buf, file);
  const want = length * item;
  const have = buf.length - dataStart;
  if (have < want) throw invalidFile(file, `truncated: shape (${shape.join(', ')}) ${order}${dtype} needs ${want} data bytes, the file has ${have}`);
  if (have > want) throw invalidFile(file, `${have - want} unexpected bytes after the data of shape (${shape.join(', ')})`);
  return { file, dtype, shape, length, littleEndian: order !== '>', bytes: buf.subarray(dataStart) };
}

function reader(a: NpyArray): (i: number) => number {
  const v = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
  const le = a.littleEndian;
  switch (a.dtype) {
    case 'f4': return (i) => v.getFloat32(i * 4, le);
    case 'f8': return (i) => v.getFloat64(i * 8, le);
    case 'u1': return (i) => v.getUint8(i);
    case 'i1': return (i) => v.getInt8(i);
    case 'i2': return (i) => v.getInt16(i * 2, le);
    case 'i4': return (i) => v.getInt32(i * 4, le);
    default: return (i) => Number(v.getBigInt64(i * 8, le));
  }
}

/** Features: uint8 kept as bytes (scaled per batch), everything else as float32. */
export function npyFeatures(a: NpyArray): Uint8Array | Float32Array {
  // a plain Uint8Array copy (a Buffer's slice() would be a view of the whole file)
  if (a.dtype === 'u1') return new Uint8Array(a.bytes);
  const read = reader(a);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = read(i);
    if (!Number.isFinite(v)) throw invalidFile(a.file, `non-finite value ${v} at flat index ${i}`);
    out[i] = v;
  }
  return out;
}

/** Class ids: integer dtypes, or floats holding integers, each in [0, numClasses). */
export function npyLabels(a: NpyArray, numClasses: number): Int32Array {
  const read = reader(a);
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = read(i);
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw invalidFile(a.file, `label ${v} at index ${i} is not a class id in [0, ${numClasses})`);
    out[i] = v;
  }
  return out;
}

/** Largest value + 1 of an integer label array (for num_classes: null). */
export function npyMaxLabel(a: NpyArray): number {
  const read = reader(a);
  let max = -1;
  for (let i = 0; i < a.length; i++) {
    const v = read(i);
    if (!Number.isInteger(v) || v < 0) throw invalidFile(a.file, `label ${v} at index ${i} is not a non-negative integer`);
    if (v > MAX_CLASS_ID) throw classIdTooLarge(a.file, `index ${i}`, v);
    max = Math.max(max, v);
  }
  return max + 1;
}
