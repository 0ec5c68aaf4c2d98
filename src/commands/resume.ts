/** `minima resume RUN_DIR`: continue a run from its newest complete checkpoint, in the same folder. */
import { existsSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { hostname } from 'node:os';
import { z } from 'zod';
import { loadExperiment } from '../config/load.js';
import { buildExperiment } from '../train/build.js';
import { findResumePoint } from '../run/checkpoint.js';
import { loopStateProblem } from '../train/checkpointer.js';
import { RunWriter } from '../run/run-writer.js';
import { readMetaJson, readStatus, requireSummary } from '../run/run-folder.js';
import { runSession, throwIfStopped } from '../train/session.js';
import { minimaVersion } from '../run/meta.js';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { isAlive } from '../core/process.js';
import { parseExpectation } from '../expect/index.js';
import type { CommandContext } from './context.js';
import { finish } from './run.js';
import { initCliBackend } from './shared.js';

export const resumeOptions = z.object({
  runDir: z.string(),
  overrides: z.array(z.string()).default([]),
  allowConfigChange: z.boolean().default(false),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
  expect: z.array(z.string()).default([]),
});
export type ResumeOptions = z.input<typeof resumeOptions>;

/** Dotted paths where two plain values differ. */
export function diffPaths(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || '(root)'];
}

export async function resume(input: ResumeOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const options = resumeOptions.parse(input);
  for (const e of options.expect) parseExpectation(e);
  const dir = resolvePath(ctx.cwd, options.runDir);
  const configPath = join(dir, 'config.yaml');
  if (!existsSync(configPath)) throw new RunnerError('RUN_NOT_FOUND', `${options.runDir} is not a run folder (no config.yaml)`);
  const status = readStatus(dir);
  if (status === 'completed') {
    const summary = requireSummary(dir);
    if (!options.quiet) ctx.stderr.write(`${options.runDir} already completed; nothing to resume\n`);
    return finish(summary, ExitCode.ok, { ...options, quiet: true }, ctx);
  }
  const metaPath = join(dir, 'meta.json');
  // A damaged meta.json cannot say whether the run is alive; the session names and rewrites it.
  const meta = readMetaJson(metaPath).value ?? {};
  const sessions = meta.sessions;
  const last = Array.isArray(sessions) ? (sessions.at(-1) as { pid?: number; host?: string } | undefined) : undefined;
  if (status === 'running' && last?.pid && last.host === hostname() && last.pid !== process.pid && isAlive(last.pid)) {
    throw new RunnerError('USAGE', `${options.runDir} is still running (pid ${last.pid}); stop it first`);
  }

  const loaded = await loadExperiment(configPath, options.overrides, { cwd: ctx.cwd });
  // The stored config resolved by this version: keys added since the run was written take their
  // defaults on both sides, so only the overrides can differ (an older run stays resumable).
  const stored = options.overrides.length > 0 ? (await loadExperiment(configPath, [], { cwd: ctx.cwd })).config : loaded.config;
  const changed = diffPaths(JSON.parse(JSON.stringify(stored)), JSON.parse(JSON.stringify(loaded.config)));
  if (changed.length > 0 && !options.allowConfigChange) {
    throw new RunnerError('RESUME_MISMATCH', `the config no longer matches the run's (${changed.join(', ')} changed); pass --allow-config-change to resume anyway`);
  }
  // Every checkpoint is verified before anything is built or written: never train from damaged state.
  const point = findResumePoint(join(dir, 'checkpoints'), loopStateProblem);
  const ckpt = point.checkpoint;
  for (const d of point.damaged) ctx.stderr.write(`warning: checkpoint ${d.dir} is damaged: ${d.problem}\n`);
  if (point.damaged.length > 0 && !ckpt) {
    throw new RunnerError('CHECKPOINT_INVALID', `${options.runDir} has no intact checkpoint to resume from (${point.damaged.length} damaged, listed above); nothing was changed`);
  }
  if (point.damaged.length > 0 && ckpt) ctx.stderr.write(`warning: falling back to the previous intact checkpoint ${ckpt.dir}\n`);
  if (ckpt?.warning) ctx.stderr.write(`warning: ${ckpt.dir}: ${ckpt.warning}\n`);
  const backend = await initCliBackend(loaded.config.backend);
  if (!options.quiet) {
    ctx.stderr.write(`minima ${minimaVersion()} · backend ${backend.name} (${backend.device}) · resuming ${dir}\n`);
    for (const note of backend.notes) ctx.stderr.write(`note: ${note}\n`);
  }
  const exp = await buildExperiment(loaded.config, { cwd: ctx.cwd, configDir: dirOfRun(meta, loaded.configDir) });
  try {
    throwIfStopped(ctx.signal); // stopped while the data loaded: the folder stays as it was
    const writer = new RunWriter(dir);
    writer.reopen(ckpt?.step ?? 0);
    if (changed.length > 0) writer.writeYaml('config.yaml', loaded.config);
    if (!options.quiet) ctx.stderr.write(ckpt ? `continuing from step ${ckpt.step}\n` : 'no checkpoint yet: starting from step 0\n');
    const { exitCode, summary } = await runSession({ writer, exp, backend, io: ctx, quiet: options.quiet, meta: {}, ...(ckpt ? { resumeFrom: ckpt.dir } : {}) });
    return finish(summary, exitCode, options, ctx);
  } finally {
    exp.dispose();
  }
}

/** Relative data paths resolve against the original experiment's folder, recorded in meta.json. */
export function dirOfRun(meta: Record<string, unknown>, fallback: string): string {
  const files = meta.config_files;
  const cwd = meta.cwd;
  if (Array.isArray(files) && typeof files[0] === 'string' && typeof cwd === 'string') return resolvePath(cwd, files[0], '..');
  return fallback;
}
