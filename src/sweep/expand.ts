/**
 * Sweep expansion, pure and deterministic: grid (cartesian, keys in file order, last fastest) ×
 * zip rows × random samples × seeds (innermost, so a config's seeds sit next to each other).
 * Command-line overrides whose value is a comma list (`optimizer.lr=0.1,0.01`) add grid axes.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { Rng } from '../core/random.js';
import { RunnerError, ExitCode } from '../core/errors.js';
import type { Distribution, SweepSpec } from './spec.js';

export interface Assignment {
  readonly path: string;
  readonly value: unknown;
}

/** One trial before validation: where it sits in the expansion and what it sets. */
export interface TrialPoint {
  readonly index: number;
  readonly assignments: readonly Assignment[];
}

/** Values drawn by `random` keep 6 significant digits: readable configs and slugs, far below float32 noise in effect. */
const RANDOM_DIGITS = 6;

export function expandSweep(spec: SweepSpec, extraGrid: Readonly<Record<string, readonly unknown[]>> = {}): TrialPoint[] {
  let points: Assignment[][] = [[]];
  for (const [path, values] of [...Object.entries(spec.grid), ...Object.entries(extraGrid)]) {
    points = points.flatMap((p) => values.map((value) => [...p, { path, value }]));
  }
  const zipEntries = Object.entries(spec.zip);
  if (zipEntries.length > 0) {
    const rows = zipEntries[0]![1].map((_, i) => zipEntries.map(([path, values]) => ({ path, value: values[i] })));
    points = points.flatMap((p) => rows.map((row) => [...p, ...row]));
  }
  if (spec.random) {
    const samples = sampleRandom(spec.random.params, spec.random.trials, spec.random.seed);
    points = points.flatMap((p) => samples.map((s) => [...p, ...s]));
  }
  const seeds = seedList(spec.seeds);
  if (seeds) points = points.flatMap((p) => seeds.map((seed) => [...p, { path: 'seed', value: seed }]));
  return points.map((assignments, index) => ({ index, assignments }));
}

export function seedList(seeds: SweepSpec['seeds']): number[] | undefined {
  if (seeds === undefined) return undefined;
  return typeof seeds === 'number' ? Array.from({ length: seeds }, (_, i) => i) : [...seeds];
}

/** `trials` draws, each sampling the params in file order from one seeded stream. */
export function sampleRandom(params: Readonly<Record<string, Distribution>>, trials: number, seed: number): Assignment[][] {
  const rng = Rng.derive(seed, 'sweep-random');
  const out: Assignment[][] = [];
  for (let t = 0; t < trials; t++) {
    out.push(Object.entries(params).map(([path, d]) => ({ path, value: sample(d, rng) })));
  }
  return out;
}

function sample(d: Distribution, rng: Rng): unknown {
  const round = (x: number) => Number(x.toPrecision(RANDOM_DIGITS));
  if ('uniform' in d) return round(d.uniform[0] + (d.uniform[1] - d.uniform[0]) * rng.uniform());
  if ('log_uniform' in d) {
    const [lo, hi] = d.log_uniform.map(Math.log) as [number, number];
    return round(Math.exp(lo + (hi - lo) * rng.uniform()));
  }
  if ('int' in d) return d.int[0] + rng.int(d.int[1] - d.int[0] + 1);
  return d.choice[rng.int(d.choice.length)];
}

/**
 * Command-line overrides of `minima sweep`: `a.b=v` is fixed for every trial; `a.b=v1,v2` (a comma
 * outside brackets and quotes) adds a grid axis.
 */
export function splitCliOverrides(args: readonly string[]): { fixed: string[]; grid: Record<string, unknown[]> } {
  const fixed: string[] = [];
  const grid: Record<string, unknown[]> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const parts = eq > 0 && !/^[+~]/.test(arg) ? topLevelCommaSplit(arg.slice(eq + 1)) : [];
    if (parts.length < 2) {
      fixed.push(arg);
      continue;
    }
    grid[arg.slice(0, eq)] = parts.map((p) => {
      try {
        return parseYaml(p) as unknown;
      } catch (err) {
        throw new RunnerError('USAGE', `override "${arg}": "${p}" is not valid YAML (${(err as Error).message.split('\n')[0]})`, ExitCode.usage);
      }
    });
  }
  return { fixed, grid };
}

function topLevelCommaSplit(text: string): string[] {
  const parts: string[] = [];
  let depth = 0, quote = '', start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) { if (c === quote) quote = ''; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { parts.push(text.slice(start, i)); start = i + 1; }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

/** `path=value` with the value written as inline YAML, so the config loader types it back exactly. */
export function toOverride(a: Assignment): string {
  return `${a.path}=${inlineYaml(a.value)}`;
}

export function inlineYaml(value: unknown): string {
  return stringifyYaml(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

/**
 * The readable part of a trial folder name: `adamw-lr0.01-s1`. A component `name` shows bare, other
 * keys as last-segment + value, the seed as s<N>.
 */
export function trialSlug(assignments: readonly Assignment[]): string {
  const parts = assignments.map(({ path, value }) => {
    const v = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
    if (path === 'seed') return `s${v}`;
    const key = path.split('.').pop()!;
    return key === 'name' ? v : `${abbreviate(key)}${v}`;
  });
  const slug = parts.join('-').replace(/[^A-Za-z0-9.+-]+/g, '_').replace(/^[._-]+|[._-]+$/g, '');
  return (slug || 'base').slice(0, 80);
}

function abbreviate(key: string): string {
  return key.split('_').map((w, i) => (i === 0 ? w : w.slice(0, 1))).join('');
}

/** `<index>-<slug>`, the index zero-padded to the width of the largest one. */
export function trialDirName(index: number, count: number, slug: string): string {
  return `${String(index).padStart(Math.max(2, String(Math.max(count - 1, 0)).length), '0')}-${slug}`;
}
