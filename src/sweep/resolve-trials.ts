/**
 * Validation of every trial before anything runs, and the stable trial id: the first 8 hex digits
 * of sha256 over the canonical JSON (sorted keys) of the trial's resolved config.
 */
import { createHash } from 'node:crypto';
import { ConfigError, RunnerError, type ConfigIssue } from '../core/errors.js';
import { toOverride, trialDirName, trialSlug, type Assignment, type TrialPoint } from './expand.js';
import { isPlainObject } from '../core/plain-object.js';

/** base + override strings → resolved config (defaults filled), or a ConfigError with every issue. */
export type ResolveConfig = (overrides: readonly string[]) => Promise<Record<string, unknown>>;

export interface ResolvedTrial {
  readonly index: number;
  readonly id: string;
  readonly slug: string;
  /** Folder name inside the sweep folder: `<index>-<slug>`. */
  readonly dir: string;
  readonly assignments: readonly Assignment[];
  /** Every override `minima run` gets: the sweep's fixed ones, then this trial's. */
  readonly overrides: readonly string[];
  readonly config: Record<string, unknown>;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

export function trialId(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 8);
}

export function describeAssignments(assignments: readonly Assignment[]): string {
  return assignments.map(toOverride).join(' ') || '(base)';
}

export async function resolveTrials(points: readonly TrialPoint[], fixed: readonly string[], resolveConfig: ResolveConfig, file = 'sweep'): Promise<ResolvedTrial[]> {
  const issues: ConfigIssue[] = [];
  const trials: ResolvedTrial[] = [];
  const seen = new Map<string, number>();
  for (const p of points) {
    const overrides = [...fixed, ...p.assignments.map(toOverride)];
    let config: Record<string, unknown>;
    try {
      config = await resolveConfig(overrides);
    } catch (err) {
      const where = `trial ${p.index} (${describeAssignments(p.assignments)})`;
      if (err instanceof ConfigError) issues.push(...err.issues.map((i) => ({ ...i, path: `${where}: ${i.path || '(root)'}` })));
      else if (err instanceof RunnerError) issues.push({ path: where, message: err.message });
      else throw err;
      continue;
    }
    const id = trialId(config);
    const twin = seen.get(id);
    if (twin !== undefined) {
      issues.push({ path: `trial ${p.index} (${describeAssignments(p.assignments)})`, message: `resolves to the same config as trial ${twin}; remove the duplicate value`, file });
      continue;
    }
    seen.set(id, p.index);
    const slug = trialSlug(p.assignments);
    trials.push({ index: p.index, id, slug, dir: trialDirName(p.index, points.length, slug), assignments: p.assignments, overrides, config });
  }
  if (issues.length > 0) {
    const bad = new Set(issues.map((i) => /^trial (\d+)/.exec(i.path)?.[1])).size;
    throw new ConfigError(issues, `invalid sweep ${file}: ${bad} of ${points.length} trials fail validation, nothing was run`);
  }
  return trials;
}

/** Leaf paths where `config` differs from `base` (arrays compare whole), as `path=value` (`~path` when removed). */
export function configDiff(base: unknown, config: unknown, prefix = ''): string[] {
  if (isPlainObject(base) && isPlainObject(config)) {
    const keys = [...new Set([...Object.keys(config), ...Object.keys(base)])];
    return keys.flatMap((k) => {
      const path = prefix ? `${prefix}.${k}` : k;
      if (!(k in config)) return [`~${path}`];
      return configDiff(base[k], config[k], path);
    });
  }
  return canonicalJson(base) === canonicalJson(config) ? [] : [toOverride({ path: prefix, value: config })];
}
