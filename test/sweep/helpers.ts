/** Shared by the sweep/check/compare tests: a capturing CommandContext and hand-written run folders. */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CommandContext } from '../../src/commands/context.js';

export interface Captured { ctx: CommandContext; out: () => string; err: () => string; abort: AbortController }

export function captureContext(cwd: string): Captured {
  let out = '', err = '';
  const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { append(String(chunk)); cb(); } });
  const abort = new AbortController();
  const ctx: CommandContext = {
    cwd,
    stdout: sink((s) => { out += s; }),
    stderr: sink((s) => { err += s; }),
    signal: abort.signal,
    isTTY: false,
  };
  return { ctx, out: () => out, err: () => err, abort };
}

export interface FakeRun {
  status?: string;
  summary?: Record<string, unknown>;
  metrics?: readonly Record<string, unknown>[];
  config?: string;
}

/** A run folder as `minima run` leaves it (docs/run-folder.md), written by hand. */
export function writeRun(dir: string, run: FakeRun): string {
  mkdirSync(dir, { recursive: true });
  if (run.status) writeFileSync(join(dir, 'status'), `${run.status}\n`);
  if (run.summary) writeFileSync(join(dir, 'summary.json'), JSON.stringify(run.summary));
  if (run.metrics) writeFileSync(join(dir, 'metrics.jsonl'), run.metrics.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (run.config) writeFileSync(join(dir, 'config.yaml'), run.config);
  return dir;
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliBuilt = existsSync(join(repoRoot, 'dist/cli/main.js'));
export const CLI_MISSING = 'dist/cli/main.js is missing: run `npm run build` (end-to-end tests need the built CLI)';
