/**
 * Which config keys tell runs apart (DVC's `exp show --only-changed`), and which runs differ only
 * by their seed (the groups whose curves and metrics become mean ± std).
 */
import { canonicalJson } from '../sweep/resolve-trials.js';

/** `{optimizer: {lr: 0.1}}` → `{'optimizer.lr': 0.1}`; arrays stay values (`model.hidden: [16]`). */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = {};
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}

interface HasConfig {
  readonly config: Readonly<Record<string, unknown>>;
}

/** Keys whose value is not the same in every run (a key absent from some runs counts as changed), in first-seen order. */
export function changedKeys(runs: readonly HasConfig[]): string[] {
  if (runs.length < 2) return [];
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.config)) if (!seen.has(k)) { seen.add(k); keys.push(k); }
  return keys.filter((k) => {
    const first = canonicalJson(runs[0]!.config[k] ?? null);
    return runs.some((r) => !(k in r.config) || canonicalJson(r.config[k] ?? null) !== first);
  });
}

/** Keys that never separate seeds of one configuration. */
const NOT_A_SETTING = new Set(['seed', 'name']);

/**
 * Runs grouped by their config without `seed` (and `name`), in first-seen order. A group of one is
 * a run on its own; a larger group is the same configuration over seeds.
 */
export function groupBySeed<R extends HasConfig>(runs: readonly R[]): R[][] {
  const groups = new Map<string, R[]>();
  for (const r of runs) {
    const key = canonicalJson(Object.fromEntries(Object.entries(r.config).filter(([k]) => !NOT_A_SETTING.has(k))));
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}

/**
 * The changed keys that name a run on charts: those set on the command line or by the sweep (when
 * the runs record them), else the changed keys less the options a changed component brings along
 * (`optimizer.betas` is absent under sgd: `optimizer.name` already says it).
 */
export function labelKeys(runs: readonly (HasConfig & { readonly overrideKeys?: readonly string[]; readonly trial?: { readonly params: Readonly<Record<string, unknown>> } })[]): string[] {
  const changed = changedKeys(runs).filter((k) => k !== 'name');
  const chosen = new Set<string>();
  for (const r of runs) {
    for (const k of r.overrideKeys ?? []) chosen.add(k);
    for (const k of Object.keys(r.trial?.params ?? {})) chosen.add(k);
  }
  const picked = changed.filter((k) => chosen.has(k));
  if (picked.length > 0) return picked;
  return changed.filter((k) => {
    const section = k.slice(0, k.lastIndexOf('.'));
    return !(k.includes('.') && !k.endsWith('.name') && changed.includes(`${section}.name`) && runs.some((r) => !(k in r.config)));
  });
}

/** A short label from the changed keys: `optimizer.name=sgd optimizer.lr=0.1`; `seed` left out when asked. */
export function labelOf(run: HasConfig & { readonly name: string }, keys: readonly string[], withSeed = true): string {
  const parts = keys.filter((k) => withSeed || k !== 'seed').filter((k) => k !== 'name').map((k) => `${k}=${formatValue(run.config[k])}`);
  return parts.length > 0 ? parts.join(' ') : run.name;
}

export function formatValue(v: unknown): string {
  if (v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
