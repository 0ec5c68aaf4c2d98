/**
 * The one way minima replaces a file: write a temp file beside it, fsync, rename over the target,
 * fsync the folder. Readers see the old file or the new one, never a partial one, even after a crash.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync, appendFileSync, rmSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, basename, join } from 'node:path';

const HOST = hostname();
let counter = 0;

/** A hidden temp name beside `target`; host and pid keep Slurm tasks on different nodes apart in a shared folder. */
export function tmpName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${HOST}.${process.pid}.${counter++}.tmp`);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

/** Writes and fsyncs `path` in place: for files inside a temp folder that `commitDir` moves into place. */
export function writeSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = tmpName(target);
  try {
    writeSynced(tmp, data);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, target);
  fsyncDir(dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** Moves a completed temp folder (see `tmpName`) to `target`, replacing an older one. */
export function commitDir(tmp: string, target: string): void {
  rmSync(target, { recursive: true, force: true });
  renameSync(tmp, target);
  fsyncDir(dirname(target));
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
