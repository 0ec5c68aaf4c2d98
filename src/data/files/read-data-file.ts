import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import type { DatasetDeps } from '../../core/types.js';
import { invalidFile, missingFile } from '../data-errors.js';

/** `path` as configured (relative to the config's folder), else `<root>/<folder>`. */
export function dataLocation(path: string | null | undefined, deps: DatasetDeps, folder: string): string {
  if (path) return isAbsolute(path) ? path : resolve(deps.configDir, path);
  return join(deps.root, folder);
}

/** The first of `names` that exists in `dir`, or null. */
export function findFile(dir: string, names: readonly string[]): string | null {
  for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  return null;
}

/** A whole file; one the system cannot read (a folder, no permission …) is DATASET_INVALID naming it. */
export function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw unreadable(file, err);
  }
}

/** The error for a data file that exists but cannot be read, naming it (fd-based reads carry no path). */
export function unreadable(file: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string') return err;
  return invalidFile(file, code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code}: ${(err as Error).message})`);
}

/** Reads a whole file, gunzipping it when it starts with the gzip magic; a bad gzip stream is DATASET_INVALID. */
export function readDataFile(file: string, hint: string): Uint8Array {
  if (!existsSync(file)) throw missingFile(file, hint);
  const buf = readBytes(file);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return gunzipSync(buf);
    } catch (e) {
      throw invalidFile(file, `corrupt or truncated gzip data (${(e as Error).message})`);
    }
  }
  return buf;
}

/**
 * The first bytes of a file (of its gunzipped content for a gzip file), for describing a dataset
 * from its headers without reading the data. Fewer come back when the file is shorter.
 */
export function readFileHead(file: string, bytes: number): Uint8Array {
  let head: Uint8Array;
  try {
    const fd = openSync(file, 'r');
    try {
      // a gzip stream is read further: a deflate block starts with its code tables
      const want = bytes + 65536;
      const buf = new Uint8Array(want);
      head = buf.subarray(0, readSync(fd, buf, 0, want, 0));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw unreadable(file, err);
  }
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) return head.subarray(0, bytes);
  try {
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, bytes);
  } catch (e) {
    throw invalidFile(file, `corrupt or truncated gzip data (${(e as Error).message})`);
  }
}

export function fetchHint(name: string): string {
  return `Download it with \`minima data fetch ${name}\` (into the datasets root), or set the dataset's \`path\`.`;
}
