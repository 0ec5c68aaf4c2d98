/**
 * A file-system shim for fault injection in-process: every write operation on a path under `root`
 * (opening for writing, write, append, mkdir, rename) is counted, and the `at`-th one (0-based)
 * fails with `code` (ENOSPC, EDQUOT, EROFS, EACCES) as the real call would, the file untouched.
 * The shim replaces node:fs functions and re-syncs the ESM named exports (`syncBuiltinESMExports`),
 * so `import { writeSync } from 'node:fs'` in src/ sees it; it is removed when `fn` settles.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve, sep } from 'node:path';

export interface FaultOutcome<T> {
  /** What fn returned, or undefined when it threw (see `error`). */
  readonly result?: T;
  readonly error?: unknown;
  /** Write operations seen under root. */
  readonly ops: number;
  /** The operation that failed: its name and path. */
  readonly injected?: { readonly op: string; readonly path: string };
}

type AnyFn = (...args: any[]) => any;

export async function withFsFaults<T>(root: string, fault: { at: number; code: string } | undefined, fn: () => Promise<T>): Promise<FaultOutcome<T>> {
  const base = resolve(root);
  const inRoot = (p: unknown) => typeof p === 'string' && (resolve(p) === base || resolve(p).startsWith(base + sep));
  const fds = new Map<number, string>();
  let ops = 0;
  let injected: { op: string; path: string } | undefined;
  const hit = (op: string, path: string): void => {
    const n = ops++;
    if (fault && n === fault.at) {
      injected = { op, path };
      const err = new Error(`${fault.code}: injected by test/support/fs-faults.ts, ${op} '${path}'`) as NodeJS.ErrnoException;
      err.code = fault.code;
      err.path = path;
      throw err;
    }
  };
  const saved: Record<string, AnyFn> = {};
  const wrap = (name: string, before: (args: any[]) => string | undefined, after?: (result: any, args: any[]) => void) => {
    const orig = (fs as unknown as Record<string, AnyFn>)[name]!;
    saved[name] = orig;
    (fs as unknown as Record<string, AnyFn>)[name] = (...args: any[]) => {
      const path = before(args);
      if (path !== undefined) hit(name, path);
      const r = orig.apply(fs, args);
      after?.(r, args);
      return r;
    };
  };
  const writes = (flags: unknown) => typeof flags === 'string' && /[wa+]/.test(flags);
  wrap('openSync', ([p, flags]) => (inRoot(p) && writes(flags) ? String(p) : undefined), (fd, [p, flags]) => { if (inRoot(p) && writes(flags)) fds.set(fd as number, String(p)); });
  wrap('closeSync', () => undefined, (_r, [fd]) => { fds.delete(fd as number); });
  wrap('writeSync', ([fd]) => fds.get(fd as number));
  for (const name of ['appendFileSync', 'writeFileSync', 'mkdirSync']) wrap(name, ([p]) => (inRoot(p) ? String(p) : undefined));
  wrap('renameSync', ([from, to]) => (inRoot(from) || inRoot(to) ? String(to) : undefined));
  syncBuiltinESMExports();
  try {
    const result = await fn();
    return { result, ops, ...(injected ? { injected } : {}) };
  } catch (error) {
    return { error, ops, ...(injected ? { injected } : {}) };
  } finally {
    for (const [name, orig] of Object.entries(saved)) (fs as unknown as Record<string, AnyFn>)[name] = orig;
    syncBuiltinESMExports();
  }
}

/** Every file and folder under `dir` whose name is a temp name (`.x.host.pid.n.tmp`). */
export function tempFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => p.split('/').some((part) => part.startsWith('.') && part.endsWith('.tmp')));
}
