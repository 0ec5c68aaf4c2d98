/** From a sweep file and command-line overrides to validated trials and the sweep folder. */
import { resolve } from 'node:path';
import { loadExperiment } from '../config/load.js';
import { expandSweep, seedList, splitCliOverrides, toOverride } from './expand.js';
import { resolveTrials, type ResolveConfig, type ResolvedTrial } from './resolve-trials.js';
import { loadSweepFile, type LoadedSweep } from './spec.js';
import { SweepDir } from './sweep-dir.js';

export interface PreparedSweep {
  readonly loaded: LoadedSweep;
  readonly name: string;
  readonly sweep: SweepDir;
  /** Overrides every trial gets: the file's `set`, then the command line's fixed ones. */
  readonly fixed: readonly string[];
  readonly grid: Readonly<Record<string, readonly unknown[]>>;
  readonly trials: readonly ResolvedTrial[];
  readonly baseConfig: Record<string, unknown>;
  /** What sweep.yaml holds. */
  readonly resolved: Record<string, unknown>;
}

export interface PrepareOptions {
  readonly cwd: string;
  readonly runsDir: string;
  readonly name?: string | undefined;
  /** Injected in tests; default: the config loader on the base file. */
  readonly resolveConfig?: ResolveConfig | undefined;
}

export function loaderFor(basePath: string, cwd: string): ResolveConfig {
  return async (overrides) => (await loadExperiment(basePath, overrides, { cwd })).config as unknown as Record<string, unknown>;
}

export async function prepareSweep(file: string, cliOverrides: readonly string[], o: PrepareOptions): Promise<PreparedSweep> {
  const loaded = loadSweepFile(file, o.cwd);
  const { spec } = loaded;
  const name = o.name ?? loaded.name;
  const cli = splitCliOverrides(cliOverrides);
  const fixed = [...Object.entries(spec.set).map(([path, value]) => toOverride({ path, value })), ...cli.fixed];
  const resolveConfig = o.resolveConfig ?? loaderFor(loaded.basePath, o.cwd);
  const points = expandSweep(spec, cli.grid);
  const trials = await resolveTrials(points, fixed, resolveConfig, file);
  const baseConfig = await resolveConfig(fixed);
  const grid = { ...spec.grid, ...cli.grid };
  const resolved: Record<string, unknown> = {
    name,
    base: loaded.basePath,
    source: loaded.file,
    overrides: fixed,
    ...(Object.keys(grid).length ? { grid } : {}),
    ...(Object.keys(spec.zip).length ? { zip: spec.zip } : {}),
    ...(spec.random ? { random: spec.random } : {}),
    ...(spec.seeds !== undefined ? { seeds: seedList(spec.seeds) } : {}),
    ...(spec.workers !== undefined ? { workers: spec.workers } : {}),
    ...(spec.early_stopping ? { early_stopping: spec.early_stopping } : {}),
    slurm: spec.slurm,
    trials: trials.length,
  };
  return { loaded, name, sweep: new SweepDir(resolve(o.cwd, o.runsDir, name)), fixed, grid, trials, baseConfig, resolved };
}
