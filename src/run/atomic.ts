/**
 * The one way minima replaces a file: write a temp file beside it, fsync, rename over the target,
 * fsync the folder. Readers see the old file or the new one, never a partial one, even after a crash.
 * A write the disk refuses (full, over quota, read-only, no permission) becomes a StorageError
 * naming the target, and the temp file is removed.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync, appendFileSync, rmSync, readdirSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { StorageError, storageErrorOf } from '../core/errors.js';

const HOST = hostname();
let counter = 0;

/** A hidden temp name beside `target`; host and pid keep Slurm tasks on different nodes apart in a shared folder. */
export function tmpName(target: string): string {
  return join(dirname(target), `.${basename(target)}.${HOST}.${process.pid}.${counter++}.tmp`);
}

/** Runs a file operation on `path`; a refused write becomes a StorageError naming `path`. */
export function onDisk<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw storageErrorOf(err, path) ?? err;
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

/** `mkdir -p`, with a refused write named. */
export function makeDir(dir: string): void {
  onDisk(dir, () => mkdirSync(dir, { recursive: true }));
}

/** Writes and fsyncs `path` in place: for files inside a temp folder that `commitDir` moves into place. */
export function writeSynced(path: string, data: string | Uint8Array): void {
  onDisk(path, () => {
    const fd = openSync(path, 'w');
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = tmpName(target);
  try {
    writeSynced(tmp, data);
    onDisk(target, () => renameSync(tmp, target));
  } catch (err) {
    rmSync(tmp, { force: true });
    const refused = storageErrorOf(err, target);
    throw refused ? new StorageError(refused.errno, target, { cause: err }) : err; // named by the target, not the temp file
  }
  fsyncDir(dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/** Moves a completed temp folder (see `tmpName`) to `target`, replacing an older one (moved away first, then removed). */
export function commitDir(tmp: string, target: string): void {
  onDisk(target, () => {
    removeDir(target);
    renameSync(tmp, target);
  });
  fsyncDir(dirname(target));
}

/**
 * Removes a folder so that it is never seen half-deleted: renamed to a hidden temp name first (one
 * atomic step), then deleted; a kill in between leaves only the temp name, which `removeStaleTemps` clears.
 */
export function removeDir(dir: string): void {
  const away = tmpName(dir);
  try {
    renameSync(dir, away);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  fsyncDir(dirname(dir));
  rmSync(away, { recursive: true, force: true });
}

/** Appends whole lines; a line is written with one write call so a crash leaves at most a torn last line, which readers skip. */
export function appendLine(target: string, line: string): void {
  onDisk(target, () => appendFileSync(target, `${line}\n`));
}

/** Whether `name` is a temp name left by `tmpName` (an interrupted write, save or removal). */
export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/** Removes leftovers of interrupted atomic writes in a folder. */
export function removeStaleTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (isTempName(name)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}
