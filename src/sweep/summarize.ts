/**
 * `minima sweep summary`: trials grouped over seeds (same params but `seed`), mean ± sample std
 * and n of every final and best metric over the group's completed trials, sorted by one metric.
 * Timing keys (`isTimingKey`) are left out: they never reproduce. Sums run in trial order, so the same
 * trial results give the same output bit for bit, whichever executor produced them.
 */
import { isTimingKey, metricDirection, type Summary } from '../run/run-folder.js';
import { canonicalJson } from './resolve-trials.js';
import { inlineYaml } from './expand.js';
import type { TrialRecord, TrialStatus } from './sweep-dir.js';

export interface Stat {
  readonly mean: number;
  /** Sample standard deviation (n − 1); null for n < 2. */
  readonly std: number | null;
  readonly n: number;
}

export interface Group {
  readonly params: Readonly<Record<string, unknown>>;
  readonly trials: readonly string[];
  readonly seeds: readonly unknown[];
  readonly n: number;
  readonly statuses: Readonly<Partial<Record<TrialStatus, number>>>;
  readonly metrics: Readonly<Record<string, Stat>>;
}

export interface SweepSummary {
  readonly metric: string | null;
  readonly mode: 'min' | 'max';
  readonly paramColumns: readonly string[];
  readonly metricColumns: readonly string[];
  readonly showStatus: boolean;
  readonly groups: readonly Group[];
}

/** `test.accuracy` (final) and `best.test.accuracy` values of one run summary, timing keys dropped. */
export function metricValues(s: Pick<Partial<Summary>, 'final' | 'best'> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(s?.final ?? {})) if (!isTimingKey(k)) out[k] = v === null ? Number.NaN : v;
  for (const [k, v] of Object.entries(s?.best ?? {})) if (!isTimingKey(k)) out[`best.${k}`] = v.value === null ? Number.NaN : v.value;
  return out;
}

export function stat(values: readonly number[]): Stat {
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { mean, std: null, n };
  // Identical values: report 0, not the rounding residue of the mean (1e-16).
  if (values.every((v) => v === values[0])) return { mean: values[0]!, std: 0, n };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

const PREFERRED = ['best.test.accuracy', 'test.accuracy', 'test.loss', 'best.test.loss', 'train.loss'];

export function summarizeSweep(
  records: readonly TrialRecord[],
  summaries: ReadonlyMap<string, Pick<Partial<Summary>, 'final' | 'best'> | undefined>,
  opts: { metric?: string | undefined; mode?: 'min' | 'max' | undefined; allColumns?: boolean | undefined } = {},
): SweepSummary {
  const groups = new Map<string, { params: Record<string, unknown>; trials: string[]; seeds: unknown[]; statuses: Partial<Record<TrialStatus, number>>; values: Map<string, number[]> }>();
  const metricKeys: string[] = [];
  for (const r of [...records].sort((a, b) => a.index - b.index)) {
    const { seed, ...params } = r.params;
    const key = canonicalJson(params);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { params, trials: [], seeds: [], statuses: {}, values: new Map() }));
    g.trials.push(r.id);
    if (seed !== undefined) g.seeds.push(seed);
    g.statuses[r.status] = (g.statuses[r.status] ?? 0) + 1;
    if (r.status !== 'completed') continue;
    for (const [k, v] of Object.entries(metricValues(summaries.get(r.id)))) {
      if (!metricKeys.includes(k)) metricKeys.push(k);
      let list = g.values.get(k);
      if (!list) g.values.set(k, (list = []));
      list.push(v);
    }
  }
  const built: Group[] = [...groups.values()].map((g) => ({
    params: g.params, trials: g.trials, seeds: g.seeds, statuses: g.statuses,
    n: g.statuses.completed ?? 0,
    metrics: Object.fromEntries([...g.values].map(([k, v]) => [k, stat(v)])),
  }));
  const metric = opts.metric ?? PREFERRED.find((m) => metricKeys.includes(m)) ?? metricKeys[0] ?? null;
  const mode = opts.mode ?? (metric ? metricDirection(metric) : 'max');
  if (metric) {
    const score = (g: Group) => g.metrics[metric]?.mean;
    built.sort((a, b) => {
      const x = score(a), y = score(b);
      const bad = (v: number | undefined) => v === undefined || Number.isNaN(v);
      if (bad(x) || bad(y)) return bad(x) === bad(y) ? 0 : bad(x) ? 1 : -1;
      return mode === 'min' ? x! - y! : y! - x!;
    });
  }
  const paramKeys = [...new Set(records.flatMap((r) => Object.keys(r.params)))].filter((k) => k !== 'seed');
  const differs = (values: readonly string[]) => built.length < 2 || new Set(values).size > 1;
  const paramColumns = paramKeys.filter((k) => opts.allColumns || differs(built.map((g) => canonicalJson(g.params[k] ?? null))));
  const sortedKeys = [...metricKeys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  // Runs log many metrics: by default the sort metric and the usual headline ones (when present);
  // --all-columns shows every metric that differs.
  const headline = sortedKeys.filter((k) => k === metric || PREFERRED.includes(k));
  const candidates = opts.allColumns || headline.length === 0 ? sortedKeys : headline;
  const metricColumns = candidates.filter((k) => opts.allColumns || k === metric || differs(built.map((g) => JSON.stringify(g.metrics[k] ?? null))));
  const showStatus = built.some((g) => g.n !== g.trials.length);
  return { metric, mode, paramColumns, metricColumns, showStatus, groups: built };
}

function rank(k: string): number {
  const i = PREFERRED.indexOf(k);
  return i < 0 ? PREFERRED.length : i;
}

function statusText(g: Group): string {
  return Object.entries(g.statuses).map(([s, n]) => `${n} ${s}`).join(', ');
}

function num(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

function cell(s: Stat | undefined): string {
  if (!s) return '–';
  return s.std === null ? num(s.mean, 4) : `${num(s.mean, 4)} ± ${num(s.std, 2)}`;
}

export type SummaryFormat = 'table' | 'csv' | 'json' | 'markdown';

export function formatSummary(s: SweepSummary, format: SummaryFormat): string {
  if (format === 'json') {
    return `${JSON.stringify({ metric: s.metric, mode: s.mode, groups: s.groups.map((g) => ({ ...g, statuses: g.statuses })) }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}\n`;
  }
  const paramCell = (g: Group, k: string) => (g.params[k] === undefined ? '–' : inlineYaml(g.params[k]));
  if (format === 'csv') {
    const head = [...s.paramColumns, 'n', 'trials', ...s.metricColumns.flatMap((m) => [`${m}.mean`, `${m}.std`, `${m}.n`]), ...(s.showStatus ? ['status'] : [])];
    const esc = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const rows = s.groups.map((g) => [
      ...s.paramColumns.map((k) => paramCell(g, k)), String(g.n), String(g.trials.length),
      ...s.metricColumns.flatMap((m) => {
        const st = g.metrics[m];
        return st ? [String(st.mean), st.std === null ? '' : String(st.std), String(st.n)] : ['', '', '0'];
      }),
      ...(s.showStatus ? [statusText(g)] : []),
    ]);
    return [head, ...rows].map((r) => r.map(esc).join(',')).join('\n') + '\n';
  }
  const head = [...s.paramColumns, 'n', ...s.metricColumns.map((m) => (m === s.metric ? `${m} (${s.mode})` : m)), ...(s.showStatus ? ['status'] : [])];
  const rows = s.groups.map((g) => [...s.paramColumns.map((k) => paramCell(g, k)), `${g.n}`, ...s.metricColumns.map((m) => cell(g.metrics[m])), ...(s.showStatus ? [statusText(g)] : [])]);
  if (format === 'markdown') {
    const line = (r: readonly string[]) => `| ${r.join(' | ')} |`;
    return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
