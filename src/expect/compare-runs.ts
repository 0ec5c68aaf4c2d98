/**
 * Row-by-row comparison of two runs' metrics.jsonl: how a CI job proves a reproduction.
 * Rows pair up by (split, step) (the last row of each, so a resumed run's re-logged steps count once);
 * values match when |a − b| ≤ atol + rtol·|b| (numpy.isclose), NaN matching NaN.
 * Timing keys (`isTimingKey`: time_s, samples_per_s, …) never reproduce and are skipped.
 */
import { isTimingKey, latestPerStep, type MetricRow } from '../run/run-folder.js';

export interface CompareOptions {
  readonly rtol: number;
  readonly atol: number;
  /** Only these keys (empty: every key but the ignored ones). */
  readonly metrics: readonly string[];
  readonly ignore: readonly string[];
}

export interface Difference {
  readonly step: number;
  readonly split: string;
  readonly key: string;
  readonly a: unknown;
  readonly b: unknown;
  /** |a − b| for numbers; undefined when a value is missing or not numeric. */
  readonly absDiff?: number;
  readonly tol?: number;
}

export interface CompareReport {
  readonly ok: boolean;
  readonly rows: number;
  readonly keys: readonly string[];
  readonly differingRows: number;
  /** The first (lowest step) difference; undefined when the runs match. */
  readonly first?: Difference;
  /** Every difference in the first differing row. */
  readonly firstRow: readonly Difference[];
  readonly maxAbsDiff: number;
}

const ROW_KEYS = new Set(['step', 'split']);

export function compareMetrics(rowsA: readonly MetricRow[], rowsB: readonly MetricRow[], opts: CompareOptions): CompareReport {
  const a = new Map(latestPerStep(rowsA).map((r) => [rowKey(r), r]));
  const b = new Map(latestPerStep(rowsB).map((r) => [rowKey(r), r]));
  const order = latestPerStep([...a.values(), ...b.values()]).map(rowKey);
  const wanted = (k: string) => !ROW_KEYS.has(k) && !opts.ignore.includes(k)
    && (opts.metrics.length > 0 ? opts.metrics.includes(k) : !isTimingKey(k));
  const keys = new Set<string>();
  let differingRows = 0;
  let firstRow: Difference[] = [];
  let maxAbsDiff = 0;
  for (const k of order) {
    const ra = a.get(k), rb = b.get(k);
    const ref = (ra ?? rb)!;
    const rowKeys = [...new Set([...Object.keys(ra ?? {}), ...Object.keys(rb ?? {})])].filter(wanted).sort();
    const diffs: Difference[] = [];
    if (!ra || !rb) {
      diffs.push({ step: ref.step, split: ref.split, key: '(row)', a: ra ? 'present' : 'missing', b: rb ? 'present' : 'missing' });
    } else {
      for (const key of rowKeys) {
        keys.add(key);
        const d = compareValue(ra[key], rb[key], opts);
        if (d.absDiff !== undefined && Number.isFinite(d.absDiff)) maxAbsDiff = Math.max(maxAbsDiff, d.absDiff);
        if (!d.ok) diffs.push({ step: ref.step, split: ref.split, key, a: ra[key], b: rb[key], ...(d.absDiff !== undefined ? { absDiff: d.absDiff, tol: d.tol! } : {}) });
      }
    }
    if (diffs.length > 0) {
      differingRows++;
      if (firstRow.length === 0) firstRow = diffs;
    }
  }
  const first = firstRow[0];
  return { ok: differingRows === 0, rows: order.length, keys: [...keys].sort(), differingRows, firstRow, maxAbsDiff, ...(first ? { first } : {}) };
}

function rowKey(r: MetricRow): string {
  return `${r.split}\u0000${r.step}`;
}

function compareValue(x: unknown, y: unknown, opts: CompareOptions): { ok: boolean; absDiff?: number; tol?: number } {
  // JSON turns NaN into null; treat null as NaN on both sides.
  const nx = x === null ? Number.NaN : x, ny = y === null ? Number.NaN : y;
  if (typeof nx === 'number' && typeof ny === 'number') {
    if (Number.isNaN(nx) || Number.isNaN(ny)) return { ok: Number.isNaN(nx) && Number.isNaN(ny) };
    if (!Number.isFinite(nx) || !Number.isFinite(ny)) return { ok: nx === ny };
    const absDiff = Math.abs(nx - ny);
    const tol = opts.atol + opts.rtol * Math.abs(ny);
    return { ok: absDiff <= tol, absDiff, tol };
  }
  return { ok: x !== undefined && y !== undefined && JSON.stringify(x) === JSON.stringify(y) };
}
