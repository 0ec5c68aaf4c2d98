/**
 * Minimal ZIP reader for .npz archives: stored and deflated entries, ZIP64 records (numpy writes
 * with force_zip64), CRC-32 checked. Only what np.savez / np.savez_compressed produce.
 */
import { constants, crc32, inflateRawSync } from 'node:zlib';
import { invalidFile } from '../data-errors.js';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The archive's entries by name. With `head`, only each entry's first `head` bytes (at most) are
 * inflated and sizes and checksums are not checked: enough to read the .npy headers.
 */
export function readZip(buf: Uint8Array, file: string, head?: number): Map<string, Uint8Array> {
  try {
    return readEntries(buf, file, head);
  } catch (err) {
    // a damaged length or offset field points outside the buffer: the archive is corrupt, not minima
    if (err instanceof RangeError) throw invalidFile(file, `corrupt zip/npz archive (${err.message})`);
    throw err;
  }
}

function readEntries(buf: Uint8Array, file: string, head?: number): Map<string, Uint8Array> {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u64 = (o: number) => Number(v.getBigUint64(o, true));
  let eocd = -1;
  for (let o = buf.length - 22; o >= Math.max(0, buf.length - 22 - 65535); o--) {
    if (v.getUint32(o, true) === EOCD) { eocd = o; break; }
  }
  if (eocd < 0) throw invalidFile(file, 'not a zip/npz archive, or truncated (no end-of-central-directory record)');
  let entries = v.getUint16(eocd + 10, true);
  let cdSize = v.getUint32(eocd + 12, true);
  let cdOffset = v.getUint32(eocd + 16, true);
  if (cdOffset === 0xffffffff || entries === 0xffff) {
    const loc = eocd - 20;
    if (loc < 0 || v.getUint32(loc, true) !== ZIP64_LOCATOR) throw invalidFile(file, 'ZIP64 locator missing');
    const z64 = u64(loc + 8);
    if (z64 + 56 > buf.length || v.getUint32(z64, true) !== ZIP64_EOCD) throw invalidFile(file, 'ZIP64 end record missing');
    entries = u64(z64 + 32);
    cdSize = u64(z64 + 40);
    cdOffset = u64(z64 + 48);
  }
  if (cdOffset + cdSize > buf.length) throw invalidFile(file, 'truncated (central directory beyond the end of the file)');
  const out = new Map<string, Uint8Array>();
  let p = cdOffset;
  for (let e = 0; e < entries; e++) {
    if (p + 46 > buf.length || v.getUint32(p, true) !== CENTRAL) throw invalidFile(file, `corrupt central directory (entry ${e})`);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    let compressed = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let local = v.getUint32(p + 42, true);
    const name = new TextDecoder().decode(buf.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: the 8-byte values, in this order, for the fields saturated above
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = v.getUint16(x, true);
      const len = v.getUint16(x + 2, true);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) { size = u64(q); q += 8; }
        if (compressed === 0xffffffff) { compressed = u64(q); q += 8; }
        if (local === 0xffffffff) { local = u64(q); q += 8; }
      }
      x += 4 + len;
    }
    p = xEnd + commentLen;
    if (local + 30 > buf.length || v.getUint32(local, true) !== LOCAL) throw invalidFile(file, `corrupt local header of "${name}"`);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (start + compressed > buf.length) throw invalidFile(file, `truncated: "${name}" needs ${compressed} bytes at offset ${start}, the file has ${buf.length}`);
    const raw = buf.subarray(start, start + compressed);
    if (head !== undefined && (method === 0 || method === 8)) {
      out.set(name, method === 0 ? raw.subarray(0, head) : inflateHead(raw, head, file, name));
      continue;
    }
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = inflateRawSync(raw);
      } catch (err) {
        throw invalidFile(file, `corrupt deflate data in "${name}" (${(err as Error).message})`);
      }
    } else throw invalidFile(file, `"${name}" uses compression method ${method}; only stored (0) and deflate (8) are supported`);
    if (data.length !== size) throw invalidFile(file, `"${name}" inflates to ${data.length} bytes, the directory says ${size}`);
    if ((crc32(data) >>> 0) !== crc) throw invalidFile(file, `CRC-32 mismatch in "${name}" (corrupt archive)`);
    out.set(name, data);
  }
  return out;
}

/** The first `head` bytes of a deflate stream: a short prefix of it, flushed (a block's code tables come first). */
function inflateHead(raw: Uint8Array, head: number, file: string, name: string): Uint8Array {
  try {
    return inflateRawSync(raw.subarray(0, head + 1024), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, head);
  } catch (err) {
    throw invalidFile(file, `corrupt deflate data in "${name}" (${(err as Error).message})`);
  }
}
