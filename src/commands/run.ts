/** `minima run CONFIG [overrides]`: validate, build, create the run folder, train, summarise. */
import { resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { loadExperiment } from '../config/load.js';
import { backendNames } from '../backends/index.js';
import { buildExperiment } from '../train/build.js';
import { createExactRunDir, createRunDir } from '../run/run-dir.js';
import { RunWriter } from '../run/run-writer.js';
import type { Summary } from '../run/run-folder.js';
import { runSession, throwIfStopped } from '../train/session.js';
import { gitInfo, hostInfo, minimaVersion } from '../run/meta.js';
import { ExitCode, storageErrorOf, type ExitCodeValue, type RunnerError } from '../core/errors.js';
import { parseExpectation } from '../expect/index.js';
import type { CommandContext } from './context.js';
import { initCliBackend, reportExpectations } from './shared.js';

export const runOptions = z.object({
  config: z.string(),
  overrides: z.array(z.string()).default([]),
  runsDir: z.string().optional(),
  runDir: z.string().optional(),
  backend: z.enum(backendNames).optional(),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
  expect: z.array(z.string()).default([]),
});
export type RunOptions = z.input<typeof runOptions>;

export async function run(input: RunOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const options = runOptions.parse(input);
  const overrides = [...options.overrides, ...(options.backend ? [`backend=${options.backend}`] : [])];
  // Everything that can fail because of the config or the environment happens before the run folder exists.
  for (const e of options.expect) parseExpectation(e);
  const loaded = await loadExperiment(options.config, overrides, { cwd: ctx.cwd });
  for (const w of loaded.warnings) ctx.stderr.write(`warning: ${w}\n`);
  const backend = await initCliBackend(loaded.config.backend);
  if (!options.quiet) {
    ctx.stderr.write(`minima ${minimaVersion()} · backend ${backend.name} (${backend.device})\n`);
    for (const note of backend.notes) ctx.stderr.write(`note: ${note}\n`);
  }
  const exp = await buildExperiment(loaded.config, { cwd: ctx.cwd, configDir: loaded.configDir });
  try {
    throwIfStopped(ctx.signal); // stopped while the data loaded: leave no run folder behind
    const dir = options.runDir
      ? createExactRunDir(resolvePath(ctx.cwd, options.runDir))
      : createRunDir(resolvePath(ctx.cwd, options.runsDir ?? 'runs'), loaded.config.name);
    const writer = new RunWriter(dir);
    try {
      writer.writeYaml('config.yaml', loaded.config);
      writer.writeYaml('overrides.yaml', loaded.overrides.map((o) => o.raw));
      writer.touch('metrics.jsonl');
    } catch (err) {
      // The disk refused the run folder's first files: leave it marked failed (where that still fits), no temp files.
      const refused = storageErrorOf(err, dir);
      if (!refused) throw err;
      writer.removeTemps();
      try { writer.writeJson('summary.json', setupFailure(dir, loaded.config.name, backend.name, exp.totalSteps, refused)); } catch { /* no room */ }
      writer.forceStatus('failed');
      throw refused;
    }
    if (!options.quiet) ctx.stderr.write(`run folder: ${dir}\n`);
    // Labels that are not class ids as they stand were mapped (csv): say how, as meta.json records it.
    const labelMap = exp.dataset.meta?.label_map as Record<string, number> | undefined;
    if (labelMap && !options.quiet) ctx.stderr.write(`labels → class ids: ${Object.entries(labelMap).map(([k, v]) => `${JSON.stringify(k)} → ${v}`).join(', ')}\n`);
    const git = gitInfo(loaded.configDir);
    const meta = {
      minima_version: minimaVersion(),
      name: loaded.config.name,
      config_files: loaded.files,
      overrides: loaded.overrides.map((o) => o.raw),
      command: (ctx.argv ?? []).join(' '),
      cwd: ctx.cwd,
      git: git ?? null,
      node: process.version,
      versions: backend.versions,
      backend: { name: backend.name, device: backend.device, tfjs_backend: backend.tfBackend, skipped: backend.skipped },
      host: hostInfo(),
      seed: loaded.config.seed,
      data_seed: loaded.config.data_seed,
      dataset: { name: loaded.config.dataset.name, sizes: exp.dataset.sizes, spec: exp.dataset.spec, ...exp.dataset.meta },
      model: { name: loaded.config.model.name, params: exp.model.paramCount },
      steps_per_epoch: exp.stepsPerEpoch,
      total_steps: exp.totalSteps,
      start_time: new Date().toISOString(),
    };
    const { exitCode, summary } = await runSession({ writer, exp, backend, io: ctx, quiet: options.quiet, meta });
    return finish(summary, exitCode, options, ctx);
  } finally {
    exp.dispose();
  }
}

/** summary.json of a run whose folder could not be set up. */
function setupFailure(dir: string, name: string, backend: string, totalSteps: number, err: RunnerError): Summary {
  return { status: 'failed', name, run_dir: dir, steps: 0, total_steps: totalSteps, epochs: 0, wall_time_s: 0, train_time_s: 0, samples_per_s: 0, final: {}, best: {}, backend, error: { code: err.code, message: err.message } };
}

/** Prints the outcome (stderr for people, stdout for machines) and applies `--expect`. */
export function finish(summary: Summary, exitCode: ExitCodeValue, options: { json: boolean; quiet: boolean; expect: readonly string[] }, ctx: CommandContext): ExitCodeValue {
  let code = exitCode;
  if (options.expect.length > 0 && summary.status === 'completed') {
    const ok = reportExpectations(summary, options.expect, ctx);
    if (!ok) code = ExitCode.expectation;
  }
  if (!options.quiet) {
    const f = summary.final;
    const pick = ['test.accuracy', 'test.loss', 'train.accuracy', 'train.loss'].flatMap((k) => { const v = f[k]; return typeof v === 'number' ? [`${k} ${v.toFixed(4)}`] : []; });
    ctx.stderr.write(`${summary.status}: ${summary.steps}/${summary.total_steps} steps in ${summary.wall_time_s.toFixed(1)} s (${summary.samples_per_s} samples/s)${pick.length ? ` · ${pick.join(' · ')}` : ''}\n`);
    if (summary.status === 'interrupted') ctx.stderr.write(`resume with: minima resume ${summary.run_dir}\n`);
  }
  // a failure is reported even with --quiet: it is the one line that says what went wrong
  if (summary.error && summary.status !== 'interrupted') ctx.stderr.write(`${summary.error.code}: ${summary.error.message}\n`);
  if (summary.error && ['DISK_FULL', 'NOT_WRITABLE'].includes(summary.error.code)) {
    ctx.stderr.write(`once the disk takes writes again, continue from the newest complete checkpoint with: minima resume ${summary.run_dir}\n`);
  }
  ctx.stdout.write(options.json ? `${JSON.stringify({ run_dir: summary.run_dir, status: summary.status, exit_code: code, summary })}\n` : `${summary.run_dir}\n`);
  return code;
}

