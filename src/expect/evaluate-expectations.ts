import type { Summary } from '../run/run-folder.js';
import { parseExpectation, DEFAULT_APPROX_RTOL, type Expectation, type MetricRef } from './parse-expectation.js';

export interface ExpectationResult {
  readonly expr: string;
  /** What was required, in words: ">= 0.95", "≈ 0.1 ± 0.01". */
  readonly expected: string;
  /** The value found; null when the summary has no such metric. */
  readonly actual: number | string | null;
  readonly ok: boolean;
  /** Why it failed when not a plain comparison (missing metric, and which ones exist). */
  readonly reason?: string;
}

export interface ExpectationReport {
  readonly ok: boolean;
  readonly results: readonly ExpectationResult[];
}

/** Checks expressions against a summary.json; only the fields named need to be there (null reads as NaN). */
export function evaluateExpectations(summary: Partial<Summary>, exprs: readonly (string | Expectation)[]): ExpectationReport {
  const results = exprs.map((e) => evaluateOne(summary, typeof e === 'string' ? parseExpectation(e) : e));
  return { ok: results.every((r) => r.ok), results };
}

function evaluateOne(summary: Partial<Summary>, e: Expectation): ExpectationResult {
  const expected = describeExpected(e);
  const found = lookup(summary, e.metric);
  if (found === undefined) {
    return { expr: e.expr, expected, actual: null, ok: false, reason: `no metric "${e.path}" in the summary; available: ${availablePaths(summary).join(', ') || '(none)'}` };
  }
  if (typeof e.value === 'string' || typeof found === 'string') {
    const equal = String(found) === String(e.value);
    return { expr: e.expr, expected, actual: found, ok: e.op === '!=' ? !equal : e.op === '==' ? equal : false };
  }
  return { expr: e.expr, expected, actual: found, ok: compare(found, e) };
}

function compare(actual: number, e: Expectation): boolean {
  const v = e.value as number;
  switch (e.op) {
    case '>=': return actual >= v;
    case '>': return actual > v;
    case '<=': return actual <= v;
    case '<': return actual < v;
    // NaN == nan holds so that a CI job can pin a divergence; any other NaN comparison fails.
    case '==': return Number.isNaN(v) ? Number.isNaN(actual) : actual === v;
    case '!=': return Number.isNaN(v) ? !Number.isNaN(actual) : !(actual === v) && !Number.isNaN(actual);
    case '~=': {
      if (!Number.isFinite(v) || !Number.isFinite(actual)) return Object.is(actual, v);
      return Math.abs(actual - v) <= tolerance(e);
    }
  }
}

function tolerance(e: Expectation): number {
  const v = Math.abs(e.value as number);
  if (!e.tolerance) return DEFAULT_APPROX_RTOL * v;
  return e.tolerance.kind === 'abs' ? e.tolerance.value : e.tolerance.value * v;
}

function describeExpected(e: Expectation): string {
  if (e.op !== '~=') return `${e.op} ${e.value}`;
  const t = e.tolerance;
  const tol = !t ? `${tolerance(e)}` : t.kind === 'abs' ? `${t.value}` : `${+(t.value * 100).toPrecision(6)}%`;
  return `≈ ${e.value} ± ${tol}`;
}

function lookup(summary: Partial<Summary>, ref: MetricRef): number | string | undefined {
  const raw = ref.kind === 'final' ? summary.final?.[ref.key]
    : ref.kind === 'best' ? summary.best?.[ref.key]?.value
    : (summary as Readonly<Record<string, unknown>>)[ref.key];
  if (raw === null) return Number.NaN; // NaN serialised by JSON.stringify
  return typeof raw === 'number' || typeof raw === 'string' ? raw : undefined;
}

function availablePaths(summary: Partial<Summary>): string[] {
  return [
    ...Object.keys(summary.final ?? {}),
    ...Object.keys(summary.best ?? {}).map((k) => `best.${k}`),
  ];
}

/** One line per expectation, for the terminal: failures say expected and actual. */
export function formatExpectationReport(report: ExpectationReport): string {
  return report.results.map((r) => {
    const actual = r.actual === null ? 'missing' : formatValue(r.actual);
    if (r.ok) return `ok    ${r.expr}  (actual ${actual})`;
    return `FAIL  ${r.expr}: expected ${r.expected}, actual ${actual}${r.reason ? ` (${r.reason})` : ''}`;
  }).join('\n') + '\n';
}

export function formatValue(v: number | string): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return String(+v.toPrecision(8));
}
