/**
 * `minima reproduce --list` and `minima reproduce NAME [--quick] [--runs-dir DIR] [--workers N]`:
 * a paper claim (configs/claims/NAME.yaml) run as a resumable sweep into DIR/reproduce/NAME/sweep/,
 * judged by its assertions, written as result.json, figure.svg/png and report.html beside it.
 * Exit: 0 the claim holds, 4 it does not hold, 6 trials failed, 2 bad claim or missing components.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { ExitCode, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { catalog } from '../registries.js';
import { evaluateAssertion, fmt, type AssertionResult } from '../reproduce/assertions.js';
import { claimFiles, loadClaim, parseUse, type ClaimSpec, type LoadedClaim } from '../reproduce/claim.js';
import { figureSpec } from '../reproduce/figure.js';
import { groupBySeed, groupStat, Measurements, trialsOf, type Trial } from '../reproduce/measure.js';
import { claimSectionHtml } from '../reproduce/claim-section.js';
import { writeFileAtomic } from '../run/atomic.js';
import { discover } from '../report/discover.js';
import { renderFigure } from '../report/figure.js';
import { reportHtml } from '../report/report-html.js';
import { prepareSweep } from '../sweep/prepare.js';
import { SweepDir, type TrialRecord } from '../sweep/sweep-dir.js';
import type { CommandContext } from './context.js';
import { sweep } from './sweep.js';

/** The claims shipped with minima. */
export const CLAIMS_DIR = fileURLToPath(new URL('../../configs/claims', import.meta.url));

export const reproduceOptions = z.object({
  name: z.string().optional().describe('claim name (configs/claims/NAME.yaml) or a claim file'),
  list: z.boolean().default(false).describe('list the claims and whether their components exist'),
  quick: z.boolean().default(false).describe('the smaller CI budget with its own, looser assertion'),
  dryRun: z.boolean().default(false).describe("print the claim's trials (validated) and run nothing"),
  runsDir: z.string().default('runs').describe('results go to DIR/reproduce/NAME/'),
  workers: z.coerce.number().int().positive().optional().describe('parallel trials (default: the available cores)'),
  claimsDir: z.string().optional().describe('folder of claim files (default: the shipped configs/claims)'),
  json: z.boolean().default(false).describe('machine output on stdout'),
  /** Tests inject the CLI path of the trials. */
  binPath: z.string().optional(),
}).strict();
export type ReproduceOptions = z.input<typeof reproduceOptions>;

export async function reproduce(options: ReproduceOptions, ctx: CommandContext): Promise<ExitCodeValue> {
  const o = reproduceOptions.parse(options);
  const dir = o.claimsDir ? resolve(ctx.cwd, o.claimsDir) : CLAIMS_DIR;
  if (o.list) return list(dir, o.json, ctx);
  if (!o.name) throw new RunnerError('USAGE', 'reproduce needs a claim name (see `minima reproduce --list`) or --list', ExitCode.usage);
  const file = o.name.endsWith('.yaml') ? o.name : join(dir, `${o.name}.yaml`);
  if (!o.name.endsWith('.yaml') && !existsSync(file)) {
    const known = claimFiles(dir).map((f) => f.slice(dir.length + 1, -'.yaml'.length));
    throw new RunnerError('UNKNOWN_NAME', `no claim "${o.name}"; known: ${known.join(', ')}`, ExitCode.usage);
  }
  const claim = loadClaim(file, { cwd: ctx.cwd, quick: o.quick });
  const missing = missingComponents(claim.spec);
  if (missing.length > 0) {
    throw new RunnerError('COMPONENT_MISSING', `claim ${claim.spec.name} needs ${missing.join(', ')}, which minima does not have yet`, ExitCode.usage);
  }
  return run(claim, o, ctx);
}

export function missingComponents(spec: ClaimSpec): string[] {
  return spec.uses.filter((u) => {
    const { kind, name } = parseUse(u);
    return !catalog[kind].has(name);
  });
}

function list(dir: string, json: boolean, ctx: CommandContext): ExitCodeValue {
  const claims = claimFiles(dir).map((f) => loadClaim(f, { cwd: ctx.cwd }).spec);
  const rows = claims.map((c) => ({ name: c.name, paper: c.paper, claim: c.claim, uses: c.uses, budget: c.budget, ci: c.ci, missing: missingComponents(c) }));
  if (json) {
    ctx.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, ready: r.missing.length === 0 })))}\n`);
    return ExitCode.ok;
  }
  const out: string[] = [];
  for (const r of rows) {
    out.push(`${r.name}  [${r.missing.length === 0 ? 'ready' : `missing ${r.missing.join(', ')}`}]  ~${r.budget.minutes} min (--quick ~${r.budget.quick_minutes} min) on 2 cores`);
    out.push(`  ${r.paper.title}. ${r.paper.authors}, ${r.paper.year}.`);
    out.push(`  ${r.claim}`);
    out.push(`  uses: ${r.uses.join(', ')}`);
    // a claim measured not to hold at this scale says so before anyone spends its budget
    out.push(`  CI: ${r.ci.skip ? `not run (${r.ci.skip})` : r.ci.expect === 'holds' ? '--quick holds' : `--quick does not hold, as measured: ${r.ci.why}`}`);
    out.push('');
  }
  out.push(`${rows.length} claims, ${rows.filter((r) => r.missing.length === 0).length} ready; run one with \`minima reproduce NAME\` (\`--quick\` for the CI budget)`);
  ctx.stdout.write(`${out.join('\n')}\n`);
  return ExitCode.ok;
}

type Parsed = z.output<typeof reproduceOptions>;
type Verdict = 'holds' | 'does not hold' | 'trials failed';

async function run(claim: LoadedClaim, o: Parsed, ctx: CommandContext): Promise<ExitCodeValue> {
  const { spec } = claim;
  const out = resolve(ctx.cwd, o.runsDir, 'reproduce', spec.name, ...(claim.quick ? ['quick'] : []));
  if (o.dryRun) {
    // The plan only: write the sweep file beside a temporary folder, never into the results.
    const tmp = mkdtempSync(join(tmpdir(), 'minima-reproduce-'));
    try {
      writeFileAtomic(join(tmp, 'claim-sweep.yaml'), sweepYaml(claim));
      return await sweep({ sweep: join(tmp, 'claim-sweep.yaml'), runsDir: out, name: 'sweep', dryRun: true, json: o.json }, ctx);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  // The sweep as a file beside the results: `minima sweep` runs it, so resuming, locking and
  // failure handling are the sweep's own; a re-run skips the trials that are done.
  const sweepFile = join(out, 'claim-sweep.yaml');
  writeFileAtomic(sweepFile, sweepYaml(claim));
  ctx.stderr.write(`reproduce ${spec.name}${claim.quick ? ' (quick)' : ''}: ${spec.claim}\n`);
  const code = await sweep({ sweep: sweepFile, runsDir: out, name: 'sweep', workers: o.workers, binPath: o.binPath }, ctx);
  if (code === ExitCode.interrupted || ctx.signal.aborted) return ExitCode.interrupted;

  const sweepDir = new SweepDir(join(out, 'sweep'));
  // Only this expansion's trials: a folder keeps the trials of an earlier version of the claim.
  const current = new Set((await prepareSweep(sweepFile, [], { cwd: ctx.cwd, runsDir: out, name: 'sweep' })).trials.map((t) => t.id));
  const records = sweepDir.records().filter((r) => current.has(r.id));
  const trials = trialsOf(records, sweepDir.dir);
  const measures = new Measurements(new Map(records.map((r) => [r.id, r])), spec.measures);
  const broken = trials.filter((t) => t.status !== 'completed' && t.status !== 'diverged' && t.status !== 'pruned');
  const results = claim.assertions.map((a) => evaluateAssertion(a, trials, measures));
  const verdict: Verdict = broken.length > 0 ? 'trials failed' : results.every((r) => r.holds) ? 'holds' : 'does not hold';

  const title = `${spec.name}: ${verdict}`;
  const figure = figureSpec(spec.figure, trials, measures, `${spec.name}: ${spec.paper.title.length > 60 ? `${spec.paper.title.slice(0, 57)}…` : spec.paper.title} (${spec.paper.year})`, (t) => relative(out, t.runDir));
  const result = resultJson(claim, trials, records, measures, results, verdict, (Date.now() - started) / 1000, out, ctx.cwd);
  writeFileAtomic(join(out, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  const svg = (await renderFigure(figure, { format: 'svg' })).toString('utf8');
  writeFileAtomic(join(out, 'figure.svg'), svg);
  writeFileAtomic(join(out, 'figure.png'), await renderFigure(figure, { format: 'png', dpi: 150 }));
  const intro = claimSectionHtml({ claim: spec, quick: claim.quick, verdict, results, groups: result.groups, svg, broken: broken.map((t) => ({ dir: relative(out, t.runDir), status: t.status })) });
  writeFileAtomic(join(out, 'report.html'), reportHtml(discover([sweepDir.dir], { cwd: ctx.cwd }), { outDir: out, title, intro, ...(typeof spec.figure.metric === 'string' && !(spec.figure.metric in spec.measures) ? { sweepMetric: spec.figure.metric } : {}) }));

  const where = relative(ctx.cwd, out) || '.';
  for (const r of results) ctx.stderr.write(`  ${r.holds ? '✓' : '✗'} ${r.text}\n`);
  if (broken.length > 0) ctx.stderr.write(`  ${broken.length} trial(s) did not complete: ${broken.map((t) => `${relative(ctx.cwd, t.runDir)} (${t.status})`).join(', ')}\n`);
  ctx.stderr.write(`claim ${spec.name}${claim.quick ? ' (quick)' : ''}: ${verdict.toUpperCase()} (${where}/report.html)\n`);
  if (o.json) ctx.stdout.write(`${JSON.stringify(result)}\n`);
  return verdict === 'holds' ? ExitCode.ok : verdict === 'does not hold' ? ExitCode.expectation : ExitCode.sweepFailed;
}

function sweepYaml(claim: LoadedClaim): string {
  const { set, grid, zip, random, seeds, workers, early_stopping, base } = claim.sweep;
  return toYaml({ name: 'sweep', base, set, grid, zip, ...(random ? { random } : {}), ...(seeds !== undefined ? { seeds } : {}), ...(workers !== undefined ? { workers } : {}), ...(early_stopping ? { early_stopping } : {}) });
}

/** Every measurement the claim names, per seed group: mean ± std and n. */
function groupTable(claim: LoadedClaim, trials: readonly Trial[], m: Measurements): { params: Record<string, unknown>; seeds: unknown[]; statuses: string[]; values: Record<string, { mean: number | null; std: number | null; n: number; text: string }> }[] {
  const refs = [...new Set([...claim.assertions.map((a) => a.metric), claim.spec.figure.metric])];
  return groupBySeed(trials).map((g) => ({
    params: { ...g.params },
    seeds: g.trials.map((t) => t.seed),
    statuses: g.trials.map((t) => t.status),
    values: Object.fromEntries(refs.map((ref) => {
      const s = groupStat(m, g, ref);
      return [ref, { mean: Number.isFinite(s.mean) ? s.mean : null, std: s.std, n: s.n, text: `${fmt(s.mean)}${s.std !== null ? ` ± ${fmt(s.std)}` : ''}` }];
    })),
  }));
}

function resultJson(claim: LoadedClaim, trials: readonly Trial[], records: readonly TrialRecord[], m: Measurements, results: readonly AssertionResult[], verdict: Verdict, seconds: number, out: string, cwd: string) {
  const { spec } = claim;
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return {
    name: spec.name,
    paper: spec.paper,
    claim: spec.claim,
    quick: claim.quick,
    ...(claim.quick && spec.quick?.note ? { quick_note: spec.quick.note } : {}),
    verdict,
    holds: verdict === 'holds',
    assertions: results.map((r) => ({ kind: r.kind, holds: r.holds, text: r.text, checks: r.checks.map((c) => ({ ...c, values: finiteJson(c.values) })) })),
    groups: groupTable(claim, trials, m),
    trials: { total: records.length, ...counts },
    sweep_dir: relative(cwd, join(out, 'sweep')) || '.',
    wall_time_s: Math.round(seconds * 10) / 10,
    finished_at: new Date().toISOString(),
  };
}

/** JSON has no ∞: write it as the strings "inf"/"-inf" (never reached, diverged). */
function finiteJson(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) && !Number.isNaN(x) ? (x > 0 ? 'inf' : '-inf') : x)));
}
