/**
 * The one gate between a request and the disk in `minima serve`: a path relative to the served
 * folder, refused (403) when it climbs out (`..`, also percent-encoded or with backslashes), is
 * absolute, holds a NUL, or resolves through a symlink to a place outside; 404 when it is absent.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

export type Resolved = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly status: 403 | 404; readonly reason: string };

/** Whether a (decoded) relative path has a `..` segment, an absolute start or a NUL. */
export function unsafeRelative(rel: string): string | undefined {
  if (rel.includes('\0')) return 'NUL in path';
  if (/^([/\\]|[A-Za-z]:)/.test(rel)) return 'absolute path';
  if (rel.split(/[/\\]+/).some((s) => s === '..')) return '".." in path';
  return undefined;
}

/**
 * `rel` (already percent-decoded) inside `rootReal` (a realpath). Decodes once more to catch a
 * double-encoded `%252e%252e`, which no honest client sends.
 */
export function resolveInside(rootReal: string, rel: string): Resolved {
  let twice = rel;
  try {
    twice = decodeURIComponent(rel);
  } catch {
    // not percent-encoded: `rel` is as it stands
  }
  const bad = unsafeRelative(rel) ?? unsafeRelative(twice);
  if (bad) return { ok: false, status: 403, reason: bad };
  const p = rel === '' || rel === '.' ? rootReal : join(rootReal, rel);
  if (!existsSync(p)) return { ok: false, status: 404, reason: 'not found' };
  let real: string;
  try {
    real = realpathSync(p);
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  if (real !== rootReal && !real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep)) return { ok: false, status: 403, reason: 'outside the served folder' };
  return { ok: true, path: real };
}
