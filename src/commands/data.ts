/** `minima data fetch NAME` and `minima data info NAME|CONFIG`: thin CLI adapters over src/commands/data-*.ts. */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { z } from 'zod';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { loadExperiment } from '../config/load.js';
import { dataFetch } from './data-fetch.js';
import { dataInfo } from './data-info.js';
import type { CommandContext } from './context.js';
import { defaultDataRoot } from '../data/data-root.js';

export const dataFetchCommandOptions = z.object({
  name: z.string().min(1),
  root: z.string().optional(),
  mirror: z.string().optional(),
  force: z.boolean().default(false),
}).strict();
export type DataFetchCommandOptions = z.input<typeof dataFetchCommandOptions>;

export async function dataFetchCommand(input: DataFetchCommandOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = dataFetchCommandOptions.parse(input);
  await dataFetch(
    { name: o.name, root: o.root ? resolvePath(ctx.cwd, o.root) : defaultDataRoot(ctx.cwd), force: o.force, ...(o.mirror ? { mirror: o.mirror } : {}) },
    { stderr: ctx.stderr, signal: ctx.signal, isTTY: ctx.isTTY },
  );
  return ExitCode.ok;
}

export const dataInfoCommandOptions = z.object({
  target: z.string().min(1),
  overrides: z.array(z.string()).default([]),
  out: z.string().optional(),
  root: z.string().optional(),
  json: z.boolean().default(false),
}).strict();
export type DataInfoCommandOptions = z.input<typeof dataInfoCommandOptions>;

export async function dataInfoCommand(input: DataInfoCommandOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = dataInfoCommandOptions.parse(input);
  const root = o.root ? resolvePath(ctx.cwd, o.root) : defaultDataRoot(ctx.cwd);
  const isConfig = /\.ya?ml$/i.test(o.target) || existsSync(resolvePath(ctx.cwd, o.target));
  const common = { root, json: o.json, ...(o.out ? { out: resolvePath(ctx.cwd, o.out) } : {}) };
  if (isConfig) {
    const loaded = await loadExperiment(o.target, o.overrides, { cwd: ctx.cwd });
    await dataInfo({ ...common, target: loaded.config.dataset, seed: loaded.config.data_seed, configDir: loaded.configDir }, { stdout: ctx.stdout, stderr: ctx.stderr, cwd: ctx.cwd });
  } else {
    await dataInfo({ ...common, target: o.target }, { stdout: ctx.stdout, stderr: ctx.stderr, cwd: ctx.cwd });
  }
  return ExitCode.ok;
}
