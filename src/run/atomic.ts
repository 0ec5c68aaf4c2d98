/** Crash-safe file writes: write a temp file in the same folder, fsync, then rename over the target. */
import { closeSync, fsyncSync, openSync, renameSync, writeSync, appendFileSync, mkdirSync, rmSync, readdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let counter = 0;

export function tmpName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${counter++}.tmp`);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = tmpName(target);
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, target);
  fsyncDir(dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** Appends whole lines; a line is written with one write call so a crash leaves at most a torn last line, which readers skip. */
export function appendLine(target: string, line: string): void {
  appendFileSync(target, `${line}\n`);
}

/** Removes leftovers of interrupted atomic writes in a folder. */
export function removeStaleTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
