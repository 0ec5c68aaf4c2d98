import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder, removed after `fn` unless MINIMA_KEEP_TMP is set. */
export async function withTmpDir<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'minima-test-'));
  try {
    return await fn(dir);
  } finally {
    if (!process.env.MINIMA_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
}
