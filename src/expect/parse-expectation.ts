/**
 * CI expectations on a run's summary: `test.accuracy>=0.95`, `best.test.accuracy>0.9`,
 * `final.train.loss<0.2`, `train.loss~=0.1±0.01`, `status==completed`.
 *
 * A metric path names a value in summary.json:
 *   `best.<split>.<metric>`  → summary.best[<split>.<metric>].value
 *   `final.<split>.<metric>` → summary.final[<split>.<metric>]
 *   `steps`, `epochs`, `wall_time_s`, `samples_per_s`, `status` → the top-level field
 *   anything else            → summary.final[path] (so `test.accuracy` means the final value)
 */
import { RunnerError, ExitCode } from '../core/errors.js';

export type ExpectationOp = '>=' | '>' | '<=' | '<' | '==' | '!=' | '~=';

/** Where the value comes from in summary.json. */
export type MetricRef =
  | { readonly kind: 'final'; readonly key: string }
  | { readonly kind: 'best'; readonly key: string }
  | { readonly kind: 'field'; readonly key: string };

/** Tolerance of `~=`: absolute (`±0.01`) or relative to the expected value (`±1%`). */
export type Tolerance = { readonly kind: 'abs'; readonly value: number } | { readonly kind: 'rel'; readonly value: number };

export interface Expectation {
  readonly expr: string;
  readonly path: string;
  readonly metric: MetricRef;
  readonly op: ExpectationOp;
  readonly value: number | string;
  readonly tolerance?: Tolerance;
}

/** Top-level summary.json fields an expectation may name directly. */
export const SUMMARY_FIELDS: readonly string[] = ['status', 'steps', 'epochs', 'wall_time_s', 'samples_per_s'];

/** `~=` without an explicit tolerance: a relative 1e-5, about float32 round-off on a stored metric. */
export const DEFAULT_APPROX_RTOL = 1e-5;

// Longest operators first so `>=` is not read as `>` followed by `=…`.
const OP_PATTERN = /^\s*([A-Za-z_][\w.\-/@]*)\s*(~=|>=|<=|==|!=|>|<)\s*(.+?)\s*$/;

export class ExpectationSyntaxError extends RunnerError {
  constructor(expr: string, reason: string) {
    super('USAGE', `invalid expectation "${expr}": ${reason} (form: METRIC OP VALUE, e.g. "test.accuracy>=0.95", "train.loss~=0.1±0.01"; OP is one of >= > <= < == != ~=)`, ExitCode.usage);
  }
}

export function parseExpectation(expr: string): Expectation {
  const m = OP_PATTERN.exec(expr);
  if (!m) throw new ExpectationSyntaxError(expr, 'no comparison operator found');
  const path = m[1]!;
  const op = m[2] as ExpectationOp;
  let rhs = m[3]!;
  const metric = metricRef(path, expr);

  let tolerance: Tolerance | undefined;
  if (op === '~=') {
    const t = /^(.*?)\s*(?:±|\+-|\+\/-)\s*(.+)$/.exec(rhs);
    if (t) {
      rhs = t[1]!;
      tolerance = parseTolerance(t[2]!, expr);
    }
  } else if (/±|\+-/.test(rhs)) {
    throw new ExpectationSyntaxError(expr, 'a tolerance (±) is only allowed with ~=');
  }

  const num = parseNumber(rhs);
  if (num === undefined) {
    if (metric.kind === 'field' && metric.key === 'status' && (op === '==' || op === '!=') && /^[a-z]+$/.test(rhs)) {
      return { expr, path, metric, op, value: rhs };
    }
    throw new ExpectationSyntaxError(expr, `"${rhs}" is not a number`);
  }
  if (metric.kind === 'field' && metric.key === 'status') throw new ExpectationSyntaxError(expr, 'status compares to a word with == or !=');
  return tolerance ? { expr, path, metric, op, value: num, tolerance } : { expr, path, metric, op, value: num };
}

function metricRef(path: string, expr: string): MetricRef {
  const parts = path.split('.');
  if (parts.some((p) => p === '')) throw new ExpectationSyntaxError(expr, `metric path "${path}" has an empty segment`);
  const head = parts[0]!;
  if (head === 'best' || head === 'final') {
    if (parts.length < 2) throw new ExpectationSyntaxError(expr, `"${head}" needs a metric after it, e.g. ${head}.test.accuracy`);
    return { kind: head, key: parts.slice(1).join('.') };
  }
  if (parts.length === 1 && SUMMARY_FIELDS.includes(head)) return { kind: 'field', key: head };
  return { kind: 'final', key: path };
}

function parseTolerance(text: string, expr: string): Tolerance {
  const pct = /^(.+?)\s*%$/.exec(text);
  const n = parseNumber(pct ? pct[1]! : text);
  if (n === undefined || n < 0) throw new ExpectationSyntaxError(expr, `tolerance "${text}" must be a non-negative number, or a percentage like 1%`);
  return pct ? { kind: 'rel', value: n / 100 } : { kind: 'abs', value: n };
}

/** Strict decimal/scientific numbers plus nan/inf; rejects "", "0x10", "1e", "3e-4x". */
export function parseNumber(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (s === 'nan') return Number.NaN;
  if (s === 'inf' || s === '+inf' || s === 'infinity') return Number.POSITIVE_INFINITY;
  if (s === '-inf' || s === '-infinity') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}
