/** `minima data fetch NAME` and `minima data info NAME|CONFIG`: thin CLI adapters over src/commands/data-*.ts. */
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { loadExperiment } from '../config/load.js';
import { dataFetch } from './data-fetch.js';
import { dataInfo } from './data-info.js';
import type { CommandContext } from './context.js';
import { defaultDataRoot } from '../data/data-root.js';

export async function dataFetchCommand(o: { name: string; root?: string; mirror?: string; force: boolean }, ctx: CommandContext): Promise<ExitCodeValue> {
  await dataFetch(
    { name: o.name, root: o.root ? resolvePath(ctx.cwd, o.root) : defaultDataRoot(ctx.cwd), force: o.force, ...(o.mirror ? { mirror: o.mirror } : {}) },
    { stderr: ctx.stderr, signal: ctx.signal, isTTY: ctx.isTTY },
  );
  return ExitCode.ok;
}

export async function dataInfoCommand(o: { target: string; out?: string; json: boolean; root?: string; overrides: string[] }, ctx: CommandContext): Promise<ExitCodeValue> {
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
