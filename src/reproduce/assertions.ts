/**
 * The assertion language of claims (docs/reproduce.md): group means compared (`compare`), seed-by-
 * seed wins (`wins`), monotone trends across a swept value (`trend`), flatness of a curve over a
 * range (`spread`) and whether the best value of one param moves with another (`argmax`). Each
 * returns whether it holds, one sentence, and the numbers it was judged on.
 */
import { canonicalJson } from '../sweep/resolve-trials.js';
import type { Assertion } from './claim.js';
import { counted, matches, paramValue, valuesStat, type Measurements, type Trial, type Value } from './measure.js';

export interface AssertionResult {
  readonly kind: Assertion['kind'];
  readonly holds: boolean;
  readonly text: string;
  readonly checks: readonly { readonly at?: string; readonly holds: boolean; readonly text: string; readonly values: Readonly<Record<string, unknown>> }[];
}

type Op = '>' | '>=' | '<' | '<=';

function cmp(a: number, op: Op, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (op) {
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
  }
}

export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : Number(v.toPrecision(4)).toString();
}

export function whereText(w: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(w).map(([k, v]) => `${k}=${Array.isArray(v) ? v.map(String).join('|') : String(v)}`);
  return parts.length ? parts.join(' ') : 'all trials';
}

/** Distinct values of a param among trials, numbers ascending, others in first-seen order. */
function valuesOf(trials: readonly Trial[], key: string): unknown[] {
  const seen = new Map<string, unknown>();
  for (const t of trials) {
    const v = paramValue(t.params, key);
    if (v !== undefined) seen.set(canonicalJson(v), v);
  }
  const vals = [...seen.values()];
  return vals.every((v) => typeof v === 'number') ? (vals as number[]).sort((a, b) => a - b) : vals;
}

function meanOver(m: Measurements, trials: readonly Trial[], ref: string): ReturnType<typeof valuesStat> {
  return valuesStat(trials.filter(counted).map((t) => m.value(t, ref)));
}

/** The mean at each value of x (ascending), leaving out values where no trial counts (all failed). */
function curveOf(m: Measurements, trials: readonly Trial[], x: string, ref: string, keep: (x: unknown) => boolean = () => true): { xs: unknown[]; means: number[] } {
  const xs: unknown[] = [];
  const means: number[] = [];
  for (const v of valuesOf(trials, x).filter(keep)) {
    const s = meanOver(m, trials.filter((t) => matches(t.params, { [x]: v })), ref);
    if (s.n === 0) continue;
    xs.push(v);
    means.push(s.mean);
  }
  return { xs, means };
}

function eachValue(trials: readonly Trial[], key: string | undefined): { at?: string; trials: readonly Trial[] }[] {
  if (key === undefined) return [{ trials }];
  return valuesOf(trials, key).map((v) => ({ at: `${key}=${String(v)}`, trials: trials.filter((t) => matches(t.params, { [key]: v })) }));
}

function summarize(kind: Assertion['kind'], head: string, checks: AssertionResult['checks']): AssertionResult {
  const holds = checks.length > 0 && checks.every((c) => c.holds);
  const text = checks.length === 0 ? `${head}: no trials to judge` : `${head}: ${checks.map((c) => `${c.at ? `${c.at}: ` : ''}${c.text}`).join('; ')}`;
  return { kind, holds, text, checks };
}

export function evaluateAssertion(a: Assertion, all: readonly Trial[], m: Measurements): AssertionResult {
  const trials = all.filter((t) => matches(t.params, a.where));
  const label = m.label(a.metric);
  switch (a.kind) {
    case 'compare': {
      const checks = eachValue(trials, a.for_each).map(({ at, trials: ts }) => {
        const A = meanOver(m, ts.filter((t) => matches(t.params, a.a)), a.metric);
        const B = meanOver(m, ts.filter((t) => matches(t.params, a.b)), a.metric);
        const holds = A.n > 0 && B.n > 0 && cmp(A.mean, a.op, B.mean + a.margin);
        const margin = a.margin ? ` ${a.margin > 0 ? '+' : '−'} ${fmt(Math.abs(a.margin))}` : '';
        return {
          ...(at ? { at } : {}), holds,
          text: `${fmt(A.mean)}${A.std !== null ? ` ± ${fmt(A.std)}` : ''} (n=${A.n}) ${a.op} ${fmt(B.mean)}${B.std !== null ? ` ± ${fmt(B.std)}` : ''} (n=${B.n})${margin} ${holds ? '✓' : '✗'}`,
          values: { a: A, b: B },
        };
      });
      return summarize('compare', `mean ${label}: ${whereText(a.a)} ${a.op} ${whereText(a.b)}${a.margin ? ` + ${a.margin}` : ''}`, checks);
    }
    case 'wins': {
      const differs = new Set([...Object.keys(a.a), ...Object.keys(a.b)]);
      // Paired on the seed and every swept param that neither side names (nor holds what they name).
      const named = (k: string) => [...differs].some((d) => d === k || d.startsWith(`${k}.`));
      const rest = (t: Trial) => canonicalJson({ seed: t.seed, ...Object.fromEntries(Object.entries(t.params).filter(([k]) => !named(k))) });
      const checks = eachValue(trials, a.for_each).map(({ at, trials: ts }) => {
        const bs = new Map(ts.filter((t) => counted(t) && matches(t.params, a.b)).map((t) => [rest(t), t]));
        let wins = 0;
        let pairs = 0;
        const seeds: { seed: unknown; a: Value; b: Value }[] = [];
        for (const t of ts.filter((x) => counted(x) && matches(x.params, a.a))) {
          const u = bs.get(rest(t));
          if (!u) continue;
          pairs++;
          const va = m.value(t, a.metric);
          const vb = m.value(u, a.metric);
          if (cmp(va, a.op, vb)) wins++;
          seeds.push({ seed: t.seed, a: va, b: vb });
        }
        const holds = wins >= a.at_least;
        return { ...(at ? { at } : {}), holds, text: `${wins} of ${pairs} seeds (at least ${a.at_least}) ${holds ? '✓' : '✗'}`, values: { wins, pairs, seeds } };
      });
      return summarize('wins', `${label}: ${whereText(a.a)} ${a.op} ${whereText(a.b)} seed by seed`, checks);
    }
    case 'trend': {
      const { xs, means } = curveOf(m, trials, a.x, a.metric);
      let holds = means.length >= 2;
      for (let i = 1; i < means.length; i++) {
        const d = means[i]! - means[i - 1]!;
        const ok = a.direction === 'increasing' ? (a.strict ? d > 0 : d >= 0) : (a.strict ? d < 0 : d <= 0);
        if (!ok || Number.isNaN(d)) holds = false;
      }
      const text = `${xs.map((x, i) => `${String(x)}→${fmt(means[i])}`).join(', ')} ${holds ? '✓' : '✗'}`;
      return summarize('trend', `${label} ${a.strict ? 'strictly ' : ''}${a.direction} in ${a.x} (${whereText(a.where)})`, [{ holds, text, values: { x: xs, means } }]);
    }
    case 'spread': {
      const range = a.range;
      const spreadOf = (ts: readonly Trial[]) => {
        const { xs, means } = curveOf(m, ts, a.x, a.metric, (x) => !range || (typeof x === 'number' && x >= range[0] && x <= range[1]));
        let spread = means.length >= 2 ? Math.max(...means) - Math.min(...means) : Number.NaN;
        if (means.some((v) => !Number.isFinite(v))) spread = Number.POSITIVE_INFINITY;
        if (a.relative && Number.isFinite(spread)) spread /= Math.max(...means.map(Math.abs));
        return { xs, means, spread, text: `${xs.map((x, i) => `${String(x)}→${fmt(means[i])}`).join(', ')}; spread ${fmt(spread)}` };
      };
      const own = spreadOf(trials);
      // `than`: a second curve, drawn from all trials (not only `where`'s); ∞ < ∞ is false: of two diverging curves neither is flatter
      const other = a.than ? spreadOf(all.filter((t) => matches(t.params, a.than!))) : undefined;
      const bound = other ? other.spread : a.value!;
      const holds = cmp(own.spread, a.op, bound);
      const against = other ? `${a.op} that of ${whereText(a.than!)} (${other.text})` : `${a.op} ${a.value}`;
      const text = `${own.text} ${against} ${holds ? '✓' : '✗'}`;
      const over = range ? ` over [${range[0]}, ${range[1]}]` : '';
      return summarize('spread', `${a.relative ? 'relative ' : ''}spread of ${label} across ${a.x}${over} (${whereText(a.where)})`, [{ holds, text, values: { x: own.xs, means: own.means, spread: own.spread, ...(other ? { than: { x: other.xs, means: other.means, spread: other.spread } } : {}) } }]);
    }
    case 'argmax': {
      const mode = a.mode ?? m.direction(a.metric);
      const overs = valuesOf(trials, a.over);
      const acrosses = valuesOf(trials, a.across);
      const rows = acrosses.map((c) => {
        const means = overs.map((o) => meanOver(m, trials.filter((t) => matches(t.params, { [a.over]: o, [a.across]: c })), a.metric).mean);
        let best = -1;
        for (let i = 0; i < means.length; i++) {
          const v = means[i]!;
          if (Number.isNaN(v)) continue;
          if (best < 0 || (mode === 'max' ? v > means[best]! : v < means[best]!)) best = i;
        }
        return { across: c, means, best };
      });
      const picks = rows.map((r) => r.best).filter((b) => b >= 0);
      const moved = picks.length > 0 ? Math.max(...picks) - Math.min(...picks) : Number.NaN;
      // a direction also asks every step along `across` to keep the best value's order (ties allowed)
      const monotone = !a.direction || picks.every((b, i) => i === 0 || (a.direction === 'increasing' ? b >= picks[i - 1]! : b <= picks[i - 1]!));
      const holds = picks.length === rows.length && picks.length >= 2 && (a.expect === 'stable' ? moved <= a.tolerance : moved > a.tolerance && monotone);
      const text = `${rows.map((r) => `${a.across}=${String(r.across)} → ${r.best >= 0 ? String(overs[r.best]) : 'n/a'}`).join(', ')}; moves ${Number.isNaN(moved) ? 'n/a' : moved} grid step(s) ${holds ? '✓' : '✗'}`;
      const way = a.direction ? `, ${a.direction === 'decreasing' ? 'falling' : 'rising'} as ${a.across} rises,` : '';
      return summarize('argmax', `best ${a.over} by ${label} (${mode}) ${a.expect === 'stable' ? 'stays within' : `moves${way} more than`} ${a.tolerance} grid step(s) across ${a.across} (${whereText(a.where)})`, [{ holds, text, values: { over: overs, rows } }]);
    }
  }
}
