/**
 * Finds the run folders under the paths given to `runs`, `report`, `plot` and `serve`, through
 * sweep folders, and reads what describes each run without its metrics: status, summary.json,
 * meta.json and config.yaml (plus the last line of metrics.jsonl for a run without a summary yet),
 * so a table of a thousand runs stays fast.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ExitCode, RunnerError } from '../core/errors.js';
import { readStatus, readSummary, type RunStatus, type Summary } from '../run/run-folder.js';
import { SweepDir, type TrialStatus } from '../sweep/sweep-dir.js';
import { flattenConfig } from './config-diff.js';

/** The trial a run belongs to, when it sits in a sweep folder. */
export interface TrialInfo {
  /** The sweep folder, relative to the root it was found under. */
  readonly sweep: string;
  readonly sweepName: string;
  readonly index: number;
  readonly id: string;
  readonly status: TrialStatus;
  readonly params: Readonly<Record<string, unknown>>;
  readonly pruned?: { readonly step: number; readonly reason: string };
}

export interface RunEntry {
  /** Absolute path of the run folder. */
  readonly dir: string;
  /** Path relative to `root`, `/`-separated: the run's id in tables, reports and the dashboard. */
  readonly rel: string;
  readonly root: string;
  /** The folder's name. */
  readonly name: string;
  readonly status: RunStatus | 'unknown';
  readonly started?: string;
  readonly steps?: number;
  readonly totalSteps?: number;
  /** From meta.json: turns steps into fractional epochs on curves. */
  readonly stepsPerEpoch?: number;
  readonly wallTimeS?: number;
  readonly backend?: string;
  readonly device?: string;
  readonly commit?: string;
  readonly dirty?: boolean;
  readonly host?: string;
  readonly seed?: unknown;
  /** summary.json's `final` (`test.accuracy` …) and best values (`test.accuracy` → value). */
  readonly final: Readonly<Record<string, number | null>>;
  readonly best: Readonly<Record<string, number | null>>;
  /** config.yaml flattened to dotted keys (`optimizer.lr`). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly trial?: TrialInfo;
  /** The keys set on the command line (meta.json `overrides`): what the user chose to vary. */
  readonly overrideKeys: readonly string[];
  readonly error?: { readonly code?: string; readonly message: string };
}

export interface SweepEntry {
  readonly dir: string;
  readonly rel: string;
  readonly name: string;
  /** The varied keys (grid, zip, random), in plan order; `seed` left out. */
  readonly params: readonly string[];
  readonly seeds: boolean;
  readonly runs: readonly string[];
}

export interface Discovered {
  readonly runs: RunEntry[];
  readonly sweeps: SweepEntry[];
}

/** Folders below a run folder or a sweep folder that never hold runs. */
const SKIP = new Set(['checkpoints', 'artifacts', 'logs', 'trials', 'attempts', 'slurm', 'node_modules']);
const MAX_DEPTH = 8;

export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, 'config.yaml')) || existsSync(join(dir, 'status')) || existsSync(join(dir, 'summary.json'));
}

/**
 * Every run under `paths` (each a run folder, a sweep folder or any folder above them), each found
 * once. `root` is what `rel` is relative to (default: the one path given, else the working folder).
 */
/** Run entries kept between discoveries (the dashboard polls): reused while the run's small files are unchanged. */
export type RunCache = Map<string, { readonly key: string; readonly entry: RunEntry }>;

function fileKey(dir: string): string {
  return ['status', 'summary.json', 'meta.json', 'config.yaml', 'metrics.jsonl'].map((f) => {
    try {
      const st = statSync(join(dir, f));
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return '-';
    }
  }).join('|');
}

function cachedRun(dir: string, root: string, cache: RunCache | undefined, trial?: TrialInfo): RunEntry {
  if (!cache) return readRun(dir, root, trial);
  const key = `${root}|${fileKey(dir)}|${trial ? JSON.stringify(trial) : ''}`;
  const hit = cache.get(dir);
  if (hit && hit.key === key) return hit.entry;
  const entry = readRun(dir, root, trial);
  cache.set(dir, { key, entry });
  return entry;
}

export function discover(paths: readonly string[], opts: { cwd: string; root?: string; cache?: RunCache }): Discovered {
  const abs = paths.map((p) => resolve(opts.cwd, p));
  for (const p of abs) {
    if (!existsSync(p) || !statSync(p).isDirectory()) throw new RunnerError('RUN_NOT_FOUND', `no folder at ${p}`, ExitCode.usage);
  }
  const root = opts.root ? resolve(opts.cwd, opts.root) : abs.length === 1 && !isRunFolder(abs[0]!) ? abs[0]! : opts.cwd;
  const runs: RunEntry[] = [];
  const sweeps: SweepEntry[] = [];
  const seen = new Set<string>();
  const visit = (dir: string, depth: number): void => {
    const real = realpathSync(dir);
    if (seen.has(real)) return;
    seen.add(real);
    if (existsSync(join(dir, 'plan.json'))) {
      sweeps.push(readSweep(dir, root, runs, seen, opts.cache));
      return;
    }
    if (isRunFolder(dir)) {
      runs.push(cachedRun(dir, root, opts.cache));
      return;
    }
    if (depth >= MAX_DEPTH) return;
    let children: string[];
    try {
      children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIP.has(e.name)).map((e) => e.name).sort();
    } catch {
      return; // unreadable folders hold no runs we can show
    }
    for (const c of children) visit(join(dir, c), depth + 1);
  };
  for (const p of abs) visit(p, 0);
  return { runs, sweeps };
}

function relPath(root: string, dir: string): string {
  const r = relative(root, dir);
  return r === '' ? '.' : r.split(sep).join('/');
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function readSweep(dir: string, root: string, runs: RunEntry[], seen: Set<string>, cache: RunCache | undefined): SweepEntry {
  const sweep = new SweepDir(dir);
  const plan = sweep.readPlan();
  const records = sweep.records(plan);
  const sweepRel = relPath(root, dir);
  const params: string[] = [];
  let seeds = false;
  const rels: string[] = [];
  for (const [i, t] of plan.trials.entries()) {
    for (const a of t.assignments) {
      if (a.path === 'seed') seeds = true;
      else if (!params.includes(a.path)) params.push(a.path);
    }
    const r = records[i]!;
    const runDir = sweep.runDir(t);
    const trial: TrialInfo = {
      sweep: sweepRel, sweepName: plan.name, index: t.index, id: t.id, status: r.status, params: r.params,
      ...(r.pruned ? { pruned: r.pruned } : {}),
    };
    if (!existsSync(runDir)) continue; // planned but never started: nothing to show
    seen.add(realpathSync(runDir));
    const run = cachedRun(runDir, root, cache, trial);
    runs.push(run);
    rels.push(run.rel);
  }
  return { dir, rel: sweepRel, name: plan.name, params, seeds, runs: rels };
}

/** One run's facts, read from its small files only. */
export function readRun(dir: string, root: string, trial?: TrialInfo): RunEntry {
  let summary: Summary | undefined;
  try {
    summary = readSummary(dir);
  } catch {
    summary = undefined; // a half-written summary reads as none
  }
  const status = readStatus(dir) ?? summary?.status ?? 'unknown';
  const meta = readJson(join(dir, 'meta.json'));
  let config: Record<string, unknown> = {};
  const configPath = join(dir, 'config.yaml');
  if (existsSync(configPath)) {
    try {
      config = flattenConfig(parseYaml(readFileSync(configPath, 'utf8')));
    } catch {
      config = {};
    }
  }
  const backend = meta?.backend as { name?: string; device?: string } | undefined;
  const git = meta?.git as { commit?: string; dirty?: boolean } | undefined;
  const host = meta?.host as { hostname?: string } | undefined;
  const best: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(summary?.best ?? {})) best[k] = v.value;
  // A running run has no summary of this session yet: its newest row says how far it got.
  const live = summary && status !== 'running' ? undefined : lastRow(join(dir, 'metrics.jsonl'));
  const steps = summary && status !== 'running' ? summary.steps : (live?.step as number | undefined);
  const totalSteps = summary?.total_steps ?? (meta?.total_steps as number | undefined);
  const wall = summary && status !== 'running' ? summary.wall_time_s : (live?.time_s as number | undefined);
  const entry: RunEntry = {
    dir, rel: relPath(root, dir), root, name: basename(dir), status,
    final: summary?.final ?? {}, best, config,
    overrideKeys: Array.isArray(meta?.overrides) ? (meta.overrides as unknown[]).filter((x): x is string => typeof x === 'string').map((x) => x.replace(/^[+~]/, '').split('=')[0]!) : [],
    ...(typeof meta?.start_time === 'string' ? { started: meta.start_time } : {}),
    ...(typeof steps === 'number' ? { steps } : {}),
    ...(typeof totalSteps === 'number' ? { totalSteps } : {}),
    ...(typeof wall === 'number' ? { wallTimeS: wall } : {}),
    ...(typeof meta?.steps_per_epoch === 'number' && meta.steps_per_epoch > 0 ? { stepsPerEpoch: meta.steps_per_epoch } : {}),
    ...(backend?.name ?? summary?.backend ? { backend: backend?.name ?? summary!.backend } : {}),
    ...(backend?.device ? { device: backend.device } : {}),
    ...(git?.commit ? { commit: git.commit, dirty: Boolean(git.dirty) } : {}),
    ...(host?.hostname ? { host: host.hostname } : {}),
    ...('seed' in config ? { seed: config.seed } : {}),
    ...(trial ? { trial } : {}),
    ...(summary?.error ? { error: summary.error } : {}),
  };
  return entry;
}

/** The last complete row of a metrics.jsonl, reading only its tail. */
function lastRow(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  const size = statSync(path).size;
  const n = Math.min(size, 65536);
  if (n === 0) return undefined;
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, n, size - n);
  } finally {
    closeSync(fd);
  }
  const lines = buf.toString('utf8').split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const row = JSON.parse(lines[i]!) as Record<string, unknown>;
      if (typeof row.step === 'number') return row;
    } catch {
      // a torn last line or the cut first one
    }
  }
  return undefined;
}
