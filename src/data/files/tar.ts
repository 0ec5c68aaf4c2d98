/** Reads the regular files of a (ustar / GNU) tar archive; enough for the CIFAR archives. */
import { invalidFile } from '../data-errors.js';

export interface TarEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

function text(buf: Uint8Array, from: number, len: number): string {
  const slice = buf.subarray(from, from + len);
  const end = slice.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? slice.subarray(0, end) : slice);
}

export function readTar(buf: Uint8Array, file: string): TarEntry[] {
  const out: TarEntry[] = [];
  let p = 0;
  let longName: string | null = null;
  while (p + 512 <= buf.length) {
    const header = buf.subarray(p, p + 512);
    if (header.every((b) => b === 0)) return out;
    const sum = header.reduce((s, b, i) => s + (i >= 148 && i < 156 ? 32 : b), 0);
    if (parseInt(text(buf, p + 148, 8).trim() || '0', 8) !== sum) throw invalidFile(file, `corrupt tar header at offset ${p}`);
    const size = parseInt(text(buf, p + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156]!);
    const prefix = text(buf, p + 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(buf, p, 100)}` : text(buf, p, 100));
    longName = null;
    const start = p + 512;
    if (start + size > buf.length) throw invalidFile(file, `truncated tar archive ("${name}" needs ${size} bytes)`);
    const data = buf.subarray(start, start + size);
    if (type === 'L') longName = text(data, 0, size);
    else if (type === '0' || type === '\0') out.push({ name, data });
    p = start + Math.ceil(size / 512) * 512;
  }
  throw invalidFile(file, 'truncated tar archive (no end-of-archive blocks)');
}
