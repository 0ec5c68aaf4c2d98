/** `minima validate CONFIG [overrides]` checks a config; `minima config` prints it fully resolved. */
import { z } from 'zod';
import { stringify as toYaml } from 'yaml';
import { loadExperiment } from '../config/load.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import type { CommandContext } from './context.js';

export const validateOptions = z.object({
  config: z.string(),
  overrides: z.array(z.string()).default([]),
  json: z.boolean().default(false),
});
export type ValidateOptions = z.input<typeof validateOptions>;

export async function validate(input: ValidateOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = validateOptions.parse(input);
  const loaded = await loadExperiment(o.config, o.overrides, { cwd: ctx.cwd });
  for (const w of loaded.warnings) ctx.stderr.write(`warning: ${w}\n`);
  if (o.json) ctx.stdout.write(`${JSON.stringify({ ok: true, config: loaded.config })}\n`);
  else ctx.stderr.write(`${o.config}: ok (${loaded.config.dataset.name} · ${loaded.config.model.name} · ${loaded.config.loss.name} · ${loaded.config.optimizer.name})\n`);
  return ExitCode.ok;
}

export async function printConfig(input: ValidateOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = validateOptions.parse(input);
  const loaded = await loadExperiment(o.config, o.overrides, { cwd: ctx.cwd });
  for (const w of loaded.warnings) ctx.stderr.write(`warning: ${w}\n`);
  ctx.stdout.write(o.json ? `${JSON.stringify(loaded.config, null, 2)}\n` : toYaml(loaded.config, { lineWidth: 0 }));
  return ExitCode.ok;
}
