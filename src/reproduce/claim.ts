/**
 * A paper claim as data (docs/reproduce.md): the paper, the claim in one sentence, the components it
 * needs, a sweep (the sweep file's keys, base relative to the claim file), named measurements, the
 * assertions on them and the figure. `quick:` is the CI budget: it replaces `set`/`seeds` keys and,
 * when given, the assertions (documented as looser).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { ConfigError, ExitCode, RunnerError, type ConfigIssue } from '../core/errors.js';
import { parseSweepSpec, sweepSpecSchema, type SweepSpec } from '../sweep/spec.js';

const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.([A-Za-z_][A-Za-z0-9_-]*|\d+))*$/;
const dottedPath = z.string().regex(PATH, 'must be a dotted key path like optimizer.lr');
const KINDS = ['dataset', 'model', 'loss', 'optimizer', 'schedule', 'diagnostic', 'attack'] as const;
export type ComponentKind = (typeof KINDS)[number];

/** Trials whose params match every key (a scalar, or a list of allowed values). */
const whereSchema = z.record(dottedPath, z.unknown()).default({}).describe('param → value (or list of values) the trials must have');

/** A measurement: a summary path (`best.test.accuracy`, `test.ece`, `final.train.loss`) or a derived one. */
const measureSchema = z.union([
  z.string().min(1),
  z.strictObject({
    steps_to: z.strictObject({
      metric: z.string().min(1).describe('split.metric in metrics.jsonl, e.g. train.loss'),
      target: z.number(),
      mode: z.enum(['min', 'max']).optional().describe('reached when the value is ≤ target (min) or ≥ target (max); default: the metric\'s direction'),
    }).describe('first logged step at which the metric reaches the target (not reached: reported as such, counts as worse than any step)'),
  }),
  z.strictObject({
    gap: z.tuple([z.string().min(1), z.string().min(1)]).describe('[a, b]: the value of a minus the value of b, e.g. [best.test.accuracy, test.accuracy]'),
  }),
]);
export type Measure = z.output<typeof measureSchema>;

const op = z.enum(['>', '>=', '<', '<=']);
const metricRef = z.string().min(1).describe('a name under `measures:` or a summary path');

export const assertionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('compare'),
    metric: metricRef,
    a: whereSchema,
    b: whereSchema,
    op,
    margin: z.number().default(0).describe('mean(a) OP mean(b) + margin'),
    for_each: dottedPath.optional().describe('check separately at every value of this param'),
    where: whereSchema,
  }).describe('group means: mean over the trials (seeds) of a, against those of b'),
  z.strictObject({
    kind: z.literal('wins'),
    metric: metricRef,
    a: whereSchema,
    b: whereSchema,
    op,
    at_least: z.number().int().positive().describe('a beats b (a OP b) in at least this many seeds'),
    for_each: dottedPath.optional(),
    where: whereSchema,
  }).describe('seed by seed: trials paired by seed and every other param'),
  z.strictObject({
    kind: z.literal('trend'),
    metric: metricRef,
    x: dottedPath.describe('the swept param, in increasing order'),
    direction: z.enum(['increasing', 'decreasing']),
    strict: z.boolean().default(false),
    where: whereSchema,
  }).describe('the group means are monotone in x'),
  z.strictObject({
    kind: z.literal('spread'),
    metric: metricRef,
    x: dottedPath,
    range: z.tuple([z.number(), z.number()]).optional().describe('only x in [low, high]'),
    op,
    value: z.number().optional().describe('max − min of the group means over x, compared with OP (≤ value: flat over the range)'),
    than: z.record(dottedPath, z.unknown()).optional().describe('instead of value: the spread of the curve these trials draw (same x, range, relative); `<` reads "flatter than"'),
    relative: z.boolean().default(false).describe('divide the spread by the largest |mean|'),
    where: whereSchema,
  }).refine((a) => (a.value === undefined) !== (a.than === undefined), { message: 'give exactly one of value and than', path: ['value'] })
    .describe('flatness of a curve: the range of the group means across x, against a number or another curve\'s'),
  z.strictObject({
    kind: z.literal('argmax'),
    metric: metricRef,
    over: dottedPath.describe('the param whose best value is found (e.g. optimizer.weight_decay)'),
    across: dottedPath.describe('the param along which that best value is followed (e.g. optimizer.lr)'),
    expect: z.enum(['stable', 'shifts']),
    tolerance: z.number().int().min(0).default(0).describe('grid positions the best value may move and still count as stable'),
    mode: z.enum(['min', 'max']).optional().describe('best means lowest or highest; default: the metric\'s direction'),
    direction: z.enum(['increasing', 'decreasing']).optional().describe('with expect shifts: the best `over` value must also move monotonically this way as `across` increases (decreasing: a diagonal good region, best wd falling as lr rises)'),
    where: whereSchema,
  }).refine((a) => a.direction === undefined || a.expect === 'shifts', { message: 'direction goes with expect: shifts', path: ['direction'] })
    .describe('whether the best `over` value stays put (stable) or moves (shifts, optionally in one direction) as `across` varies'),
]);
export type Assertion = z.output<typeof assertionSchema>;

const figureSchema = z.strictObject({
  type: z.enum(['line', 'heatmap']).describe('line: the measurement against x, one line per color value; heatmap: mean over seeds on an x × y grid'),
  metric: metricRef,
  x: dottedPath.describe('the param on the x axis'),
  color: dottedPath.optional().describe('line: one series per value of this param; heatmap: one panel per value'),
  y: dottedPath.optional().describe('heatmap: the param on the y axis (required there)'),
  log_x: z.boolean().optional().describe('default: when the x values span more than two decades'),
  title: z.string().optional(),
});
export type FigureSpec = z.output<typeof figureSchema>;

const figureChecked = figureSchema.refine((f) => f.type !== 'heatmap' || f.y !== undefined, { message: 'a heatmap needs y', path: ['y'] });

const sweepPart = sweepSpecSchema.omit({ name: true, slurm: true });

export const claimSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and "-" (it names the folder)'),
  paper: z.strictObject({
    title: z.string().min(1),
    authors: z.string().min(1),
    year: z.number().int().min(1900).max(2100),
    venue: z.string().optional(),
    url: z.string().optional(),
    code: z.string().optional().describe('the official code the components follow'),
  }),
  claim: z.string().min(1).describe('the claim in one sentence'),
  setting: z.string().optional().describe('where minima\'s small-scale setting differs from the paper\'s'),
  uses: z.array(z.string().regex(/^(dataset|model|loss|optimizer|schedule|diagnostic):[a-z0-9@.-]+$/, 'KIND:NAME, e.g. optimizer:sam')).min(1),
  budget: z.strictObject({
    minutes: z.number().positive().describe('the full claim on 2 cores'),
    quick_minutes: z.number().positive().describe('the --quick form on 2 cores'),
  }),
  sweep: sweepPart,
  measures: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), measureSchema).default({}),
  assert: z.array(assertionSchema).min(1),
  figure: figureChecked,
  ci: z.strictObject({
    skip: z.string().min(1).optional().describe('why CI does not run the quick form at all (too slow for CI\'s budget; the measured time)'),
    expect: z.enum(['holds', 'does not hold']).default('holds').describe('the verdict CI expects of the quick form: a claim measured not to hold at this scale still runs, and CI fails when its verdict changes'),
    why: z.string().min(1).optional().describe('the measured numbers behind an expected "does not hold"'),
  }).refine((c) => c.expect === 'holds' || c.why !== undefined, { message: 'ci.expect "does not hold" needs ci.why: the measured numbers behind it', path: ['why'] }).default({ expect: 'holds' }),
  quick: z.strictObject({
    set: z.record(dottedPath, z.unknown()).default({}).describe('replaces or adds sweep.set keys'),
    grid: z.record(dottedPath, z.array(z.unknown()).min(1)).default({}).describe('replaces sweep.grid axes'),
    seeds: z.union([z.array(z.number().int().min(0)).min(1), z.number().int().positive()]).optional(),
    assert: z.array(assertionSchema).min(1).optional().describe('the looser assertions of the quick form'),
    note: z.string().optional().describe('why the quick assertion differs'),
  }).optional(),
});
export type ClaimSpec = z.output<typeof claimSchema>;

export interface LoadedClaim {
  readonly spec: ClaimSpec;
  readonly file: string;
  /** The sweep (quick form applied when asked), base made absolute. */
  readonly sweep: SweepSpec & { readonly base: string };
  readonly assertions: readonly Assertion[];
  readonly quick: boolean;
}

export function parseUse(use: string): { kind: ComponentKind; name: string } {
  const at = use.indexOf(':');
  return { kind: use.slice(0, at) as ComponentKind, name: use.slice(at + 1) };
}

/** Line of a dotted path in the YAML document, for the error's file:line. */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): { line?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as { range?: [number, number] } | undefined;
    const at = node && (isScalar(node) || isMap(node) || 'range' in node) ? node.range?.[0] : undefined;
    if (at !== undefined) return { line: lines.linePos(at).line };
  }
  return {};
}

export function loadClaim(path: string, opts: { cwd: string; quick?: boolean }): LoadedClaim {
  const file = resolve(opts.cwd, path);
  if (!existsSync(file) || !statSync(file).isFile()) throw new RunnerError('CONFIG_NOT_FOUND', `no claim file at ${path}`, ExitCode.usage);
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0]!, file: path, ...(e.linePos?.[0] ? { line: e.linePos[0].line } : {}) })), `invalid claim file ${path}`);
  }
  const r = claimSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!r.success) {
    const issues: ConfigIssue[] = r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, file: path, ...lineOf(doc, lines, i.path) }));
    throw new ConfigError(issues, `invalid claim file ${path}`);
  }
  const spec = r.data;
  if (spec.name !== basename(file, extname(file))) {
    throw new ConfigError([{ path: 'name', message: `must equal the file's name (${basename(file, extname(file))})`, file: path, ...lineOf(doc, lines, ['name']) }], `invalid claim file ${path}`);
  }
  const quick = opts.quick === true && spec.quick !== undefined;
  const raw = {
    ...spec.sweep,
    set: { ...spec.sweep.set, ...(quick ? spec.quick!.set : {}) },
    grid: { ...spec.sweep.grid, ...(quick ? spec.quick!.grid : {}) },
    ...(quick && spec.quick!.seeds !== undefined ? { seeds: spec.quick!.seeds } : {}),
  };
  const sweep = parseSweepSpec(raw, `${path} (sweep)`);
  return {
    spec, file, quick,
    sweep: { ...sweep, base: resolve(dirname(file), spec.sweep.base) },
    assertions: quick && spec.quick?.assert ? spec.quick.assert : spec.assert,
  };
}

/** The claim files of a folder (configs/claims/*.yaml; the topic folders below hold experiments). */
export function claimFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.yaml') && statSync(join(dir, f)).isFile()).sort().map((f) => join(dir, f));
}
