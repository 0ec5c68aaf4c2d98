/**
 * `minima serve [DIR] [--port 6007] [--host 127.0.0.1]`: the local dashboard over a runs folder
 * (src/report/server.ts) until Ctrl-C. Read-only; binds to localhost unless told otherwise.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { startServer } from '../report/server.js';
import type { CommandContext } from './context.js';

export const serveOptions = z.object({
  dir: z.string().min(1).default('runs').describe('the folder served (runs, sweeps, or any folder above them)'),
  port: z.coerce.number().int().min(0).max(65535).default(6007).describe('0 picks a free port'),
  host: z.string().min(1).default('127.0.0.1').describe('the address to bind (0.0.0.0 exposes the dashboard to the network)'),
}).strict();
export type ServeOptions = z.input<typeof serveOptions>;

export async function serve(options: ServeOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = serveOptions.parse(options);
  const root = resolve(ctx.cwd, o.dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new RunnerError('RUN_NOT_FOUND', `no folder at ${root}`, ExitCode.usage);
  let started: Awaited<ReturnType<typeof startServer>>;
  try {
    started = await startServer({ root, host: o.host, port: o.port });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new RunnerError('USAGE', `cannot listen on ${o.host}:${o.port}: ${e.code ?? e.message}${e.code === 'EADDRINUSE' ? ' (use --port, or --port 0 for a free one)' : ''}`, ExitCode.usage);
  }
  ctx.stdout.write(`minima serve: ${started.url} (serving ${root}; Ctrl-C stops)\n`);
  await new Promise<void>((res) => {
    if (ctx.signal.aborted) res();
    ctx.signal.addEventListener('abort', () => res(), { once: true });
  });
  await new Promise<void>((res) => {
    started.server.close(() => res());
    started.server.closeAllConnections();
  });
  return ExitCode.ok;
}
