/**
 * Steps-to-target and AlgoPerf-style performance profiles (Dahl et al. 2023, "Benchmarking Neural
 * Network Training Algorithms"): a run's time is the first step its curve reaches the target; each
 * solver (the values of `by`, e.g. `optimizer.name`) takes its best hyperparameters per problem (the
 * other changed keys) and the median over seeds; ρ_s(τ) is the fraction of problems solver s
 * solves within τ times the fastest solver's steps.
 */
import { metricDirection } from '../run/run-folder.js';
import { canonicalJson } from '../sweep/resolve-trials.js';
import { stat } from '../sweep/summarize.js';
import { profileChart, targetChart, type FigureStyle, type ProfilePoint, type TargetBar } from './charts.js';
import { changedKeys, formatValue, groupBySeed } from './config-diff.js';
import type { CurveSource } from './curve-figure.js';
import { runLabels } from './curve-figure.js';
import { splitId, type CurveId, type Point } from './curves.js';
import type { RunEntry } from './discover.js';
import type { Figure } from './sweep-figures.js';

/** The first step whose value reaches `target` in the metric's direction (≥ for accuracy, ≤ for losses), or null. */
export function stepsToTarget(points: readonly Point[], target: number, mode: 'min' | 'max'): number | null {
  for (const p of points) {
    if (p.value === null) continue;
    if (mode === 'max' ? p.value >= target : p.value <= target) return p.step;
  }
  return null;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The default solver key: the optimizer or loss when it differs, else the first changed key. */
export function defaultSolverKey(runs: readonly RunEntry[]): string | undefined {
  const changed = changedKeys(runs).filter((k) => k !== 'seed' && k !== 'name');
  return ['optimizer.name', 'loss.name'].find((k) => changed.includes(k)) ?? changed[0];
}

export interface ProfileResult {
  readonly solverKey: string;
  readonly problems: readonly string[];
  /** Steps of each solver on each problem (Infinity: never reached). */
  readonly times: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly points: readonly ProfilePoint[];
}

export function performanceProfile(runs: readonly RunEntry[], id: CurveId, target: number, o: { curves: CurveSource; by?: string; mode?: 'min' | 'max' }): ProfileResult {
  const [, key] = splitId(id);
  const mode = o.mode ?? metricDirection(key);
  const by = o.by ?? defaultSolverKey(runs) ?? 'name';
  const section = by.includes('.') ? `${by.slice(0, by.lastIndexOf('.'))}.` : `${by}.`;
  const changed = changedKeys(runs).filter((k) => k !== 'seed' && k !== 'name' && k !== by);
  const problemKeys = changed.filter((k) => !k.startsWith(section));
  const tuned = changed.filter((k) => k.startsWith(section));
  // solver → problem → hyperparameter setting → times over seeds
  const cells = new Map<string, Map<string, Map<string, number[]>>>();
  for (const r of runs) {
    const solver = formatValue(by === 'name' ? r.name : r.config[by]);
    const problem = problemKeys.map((k) => `${k}=${formatValue(r.config[k])}`).join(' ') || 'all runs';
    const hyper = canonicalJson(tuned.map((k) => r.config[k] ?? null));
    const t = stepsToTarget(o.curves(r).get(id) ?? [], target, mode) ?? Number.POSITIVE_INFINITY;
    const p = cells.get(solver) ?? new Map<string, Map<string, number[]>>();
    cells.set(solver, p);
    const h = p.get(problem) ?? new Map<string, number[]>();
    p.set(problem, h);
    h.set(hyper, [...(h.get(hyper) ?? []), t]);
  }
  const problems = [...new Set([...cells.values()].flatMap((p) => [...p.keys()]))].sort();
  const times: Record<string, Record<string, number>> = {};
  for (const [solver, p] of cells) {
    times[solver] = {};
    for (const problem of problems) {
      const h = p.get(problem);
      times[solver]![problem] = h ? Math.min(...[...h.values()].map(median)) : Number.POSITIVE_INFINITY;
    }
  }
  const solvers = Object.keys(times).sort();
  const ratios = new Map<string, number[]>(solvers.map((s) => [s, []]));
  for (const problem of problems) {
    const best = Math.min(...solvers.map((s) => times[s]![problem]!));
    for (const s of solvers) {
      const t = times[s]![problem]!;
      // a target met at step 0 by the fastest solver makes every ratio 1 or ∞
      ratios.get(s)!.push(!Number.isFinite(t) || !Number.isFinite(best) ? Number.POSITIVE_INFINITY : best === 0 ? (t === 0 ? 1 : Number.POSITIVE_INFINITY) : t / best);
    }
  }
  const finite = [...ratios.values()].flat().filter(Number.isFinite);
  const tauMax = Math.max(4, ...finite.map((r) => r * 1.25));
  const taus = [...new Set([1, ...finite, tauMax])].sort((a, b) => a - b);
  const points: ProfilePoint[] = [];
  for (const s of solvers) {
    for (const tau of taus) points.push({ solver: s, tau, rho: ratios.get(s)!.filter((r) => r <= tau).length / Math.max(1, problems.length) });
  }
  return { solverKey: by, problems, times, points };
}

export function profileFigures(runs: readonly RunEntry[], id: CurveId, target: number, o: { curves: CurveSource; by?: string; style?: FigureStyle; interactive?: boolean }): Figure[] {
  const [, key] = splitId(id);
  const mode = metricDirection(key);
  const style = o.style ? { style: o.style } : {};
  const rels = runs.map((r) => r.rel);
  const op = mode === 'max' ? '≥' : '≤';
  const bars: TargetBar[] = [];
  const labels = runLabels(runs, false);
  for (const g of groupBySeed(runs)) {
    const steps = g.map((r) => stepsToTarget(o.curves(r).get(id) ?? [], target, mode));
    const reached = steps.filter((s): s is number => s !== null);
    const s = reached.length > 0 ? stat(reached) : undefined;
    bars.push({ label: `${labels.get(g[0]!)!}${g.length > 1 ? ` (${g.length} seeds)` : ''}`, mean: s?.mean ?? null, lo: s ? s.mean - (s.std ?? 0) : null, hi: s ? s.mean + (s.std ?? 0) : null, n: g.length, reached: reached.length });
  }
  const figures: Figure[] = [{
    title: `steps to ${key} ${op} ${target}`,
    kind: 'target',
    runs: rels,
    spec: targetChart({ title: `steps to ${key} ${op} ${target}`, bars, interactive: o.interactive ?? false, ...style }),
  }];
  const by = o.by ?? defaultSolverKey(runs);
  if (by) {
    const p = performanceProfile(runs, id, target, { curves: o.curves, by, mode });
    figures.push({
      title: `performance profile: ${key} ${op} ${target} by ${p.solverKey} over ${p.problems.length} problem${p.problems.length === 1 ? '' : 's'}`,
      kind: 'profile',
      runs: rels,
      spec: profileChart({ title: `performance profile (${key} ${op} ${target}, by ${p.solverKey})`, points: p.points, interactive: o.interactive ?? false, ...style }),
    });
  }
  return figures;
}
