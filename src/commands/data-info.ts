/**
 * `minima data info NAME|CONFIG`: sizes, shapes, class balance and provenance of a dataset, and a
 * PNG grid of training samples (a row per class) for image data. NAME is a registry entry with
 * default options; for a config, its resolved dataset spec `{name, ...options}` (`dataInfoCommand`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadExperiment } from '../config/load.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import type { Spec } from '../core/registry.js';
import type { Dataset } from '../core/types.js';
import { datasetRegistry } from '../data/dataset-registry.js';
import { defaultDataRoot } from '../data/data-root.js';
import { encodePng } from '../data/png.js';

export interface DataInfoOptions {
  /** A dataset name, or a resolved spec `{name, ...options}` from a config. */
  readonly target: string | Spec;
  /** PNG file for the sample grid (image data only). */
  readonly out?: string;
  readonly json?: boolean;
  /** Datasets root (where file loaders look by default). */
  readonly root: string;
  /** Data seed (a config's data_seed); default 0. */
  readonly seed?: number;
  /** Folder that relative `path` options are resolved against (the config's folder); default cwd. */
  readonly configDir?: string;
}

export interface DataInfoContext {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly cwd?: string;
}

const GRID_COLUMNS = 8;
const GRID_ROWS = 10;
const GAP = 2;

/** Up to GRID_COLUMNS train examples of each of the first GRID_ROWS classes (or the first examples, for regression). */
function sampleRows(ds: Dataset): number[][] {
  const n = ds.sizes.train;
  const y = ds.gather('train', Int32Array.from({ length: n }, (_, i) => i)).y;
  if (ds.spec.task !== 'classification') {
    return Array.from({ length: Math.min(GRID_ROWS, Math.ceil(Math.min(n, GRID_ROWS * GRID_COLUMNS) / GRID_COLUMNS)) }, (_, r) =>
      Array.from({ length: GRID_COLUMNS }, (_, c) => r * GRID_COLUMNS + c).filter((i) => i < n));
  }
  const rows = Array.from({ length: Math.min(ds.spec.numClasses, GRID_ROWS) }, () => [] as number[]);
  for (let i = 0; i < n; i++) {
    const row = rows[y[i]!];
    if (row && row.length < GRID_COLUMNS) row.push(i);
  }
  return rows;
}

/** The grid as PNG bytes; pixel values are stretched from the batch's min..max to 0..255. */
export function sampleGrid(ds: Dataset): Buffer | null {
  const [H, W, C] = ds.spec.inputShape;
  if (ds.spec.inputShape.length !== 3 || (C !== 1 && C !== 3)) return null;
  const rows = sampleRows(ds);
  const width = GRID_COLUMNS * (W! + GAP) + GAP;
  const height = rows.length * (H! + GAP) + GAP;
  const pixels = new Uint8Array(width * height * C).fill(255);
  const all = rows.flat();
  const { x } = ds.gather('train', Int32Array.from(all));
  let lo = Infinity, hi = -Infinity;
  for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const span = hi > lo ? hi - lo : 1;
  let k = 0;
  rows.forEach((row, r) => row.forEach((_, c) => {
    const base = k++ * H! * W! * C;
    for (let h = 0; h < H!; h++) for (let w = 0; w < W!; w++) for (let ch = 0; ch < C; ch++) {
      const v = x[base + (h * W! + w) * C + ch]!;
      const px = ((GAP + r * (H! + GAP) + h) * width + GAP + c * (W! + GAP) + w) * C + ch;
      pixels[px] = Math.round((255 * (v - lo)) / span);
    }
  }));
  return encodePng(width, height, C, pixels);
}

export interface DataInfoReport {
  readonly name: string;
  readonly task: string;
  readonly input_shape: readonly number[];
  readonly input_kind: string;
  readonly vocab_size?: number;
  readonly num_classes: number;
  readonly output_dim: number;
  readonly sizes: Readonly<Record<string, number>>;
  readonly classes?: readonly { readonly id: number; readonly name?: string; readonly train: number; readonly test: number }[];
  readonly imbalance?: number;
  readonly value_range: readonly [number, number];
  readonly meta: Readonly<Record<string, unknown>>;
  readonly grid?: string;
}

export async function dataInfo(options: DataInfoOptions, ctx: DataInfoContext): Promise<DataInfoReport> {
  const spec: Spec = typeof options.target === 'string' ? { name: options.target } : options.target;
  const cwd = ctx.cwd ?? process.cwd();
  const ds = await datasetRegistry.build(spec, ['dataset'], { seed: options.seed ?? 0, root: resolve(cwd, options.root), configDir: options.configDir ?? cwd });
  const s = ds.spec;
  const m = Math.min(ds.sizes.train, 1000);
  const sample = ds.gather('train', Int32Array.from({ length: m }, (_, i) => i)).x;
  let lo = Infinity, hi = -Infinity;
  for (const v of sample) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const counts = ds.meta.class_counts as { train: number[]; test: number[] } | undefined;
  const classes = s.task === 'classification' && counts
    ? counts.train.map((train, id) => ({ id, ...(s.classNames ? { name: s.classNames[id]! } : {}), train, test: counts.test[id]! }))
    : undefined;
  const nonEmpty = counts?.train.filter((c) => c > 0) ?? [];
  let grid: string | undefined;
  if (options.out) {
    const png = sampleGrid(ds);
    if (png) {
      grid = resolve(cwd, options.out);
      writeFileSync(grid, png);
    } else ctx.stderr.write(`${spec.name}: not image data ([H, W, 1|3]); no sample grid written\n`);
  }
  const report: DataInfoReport = {
    name: spec.name,
    task: s.task,
    input_shape: s.inputShape,
    input_kind: s.inputKind,
    ...(s.vocabSize !== undefined ? { vocab_size: s.vocabSize } : {}),
    num_classes: s.numClasses,
    output_dim: s.outputDim,
    sizes: ds.sizes,
    ...(classes ? { classes } : {}),
    ...(nonEmpty.length > 0 ? { imbalance: Math.max(...nonEmpty) / Math.min(...nonEmpty) } : {}),
    value_range: [lo, hi],
    meta: ds.meta,
    ...(grid ? { grid } : {}),
  };
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(report)}\n`);
    return report;
  }
  const lines = [
    `dataset      ${spec.name}`,
    `task         ${s.task}${s.task === 'classification' ? ` (${s.numClasses} classes)` : ` (output dim ${s.outputDim})`}`,
    `input        [${s.inputShape.join(', ')}] ${s.inputKind}${s.vocabSize !== undefined ? `, vocabulary ${s.vocabSize}` : ''}`,
    `sizes        train ${ds.sizes.train}, test ${ds.sizes.test}`,
    `values       ${lo.toPrecision(4)} .. ${hi.toPrecision(4)} (first ${m} train examples, as gathered)`,
    `source       ${String(ds.meta.source ?? '-')}`,
  ];
  if (ds.meta.transforms) lines.push(`transforms   ${JSON.stringify(ds.meta.transforms)}`);
  if (classes) {
    lines.push(`classes      train/test per class${report.imbalance !== undefined ? ` (train max/min ${report.imbalance.toFixed(2)})` : ''}`);
    const shown = classes.length > 20 ? classes.slice(0, 20) : classes;
    for (const c of shown) lines.push(`  ${String(c.id).padStart(4)} ${(c.name ?? '').padEnd(14).slice(0, 14)} ${String(c.train).padStart(7)} ${String(c.test).padStart(7)}`);
    if (classes.length > shown.length) lines.push(`  … ${classes.length - shown.length} more classes`);
  }
  if (grid) lines.push(`sample grid  ${grid}`);
  else if (!options.out && s.inputShape.length === 3) lines.push('sample grid  (pass --out FILE.png to write one)');
  ctx.stdout.write(`${lines.join('\n')}\n`);
  return report;
}

export const dataInfoCommandOptions = z
  .object({
    target: z.string().min(1).describe('a dataset name (default options) or an experiment YAML file'),
    overrides: z.array(z.string()).default([]).describe('overrides for an experiment file'),
    out: z.string().optional().describe('PNG file for the sample grid (image data)'),
    root: z.string().optional().describe('datasets root (default: ./datasets or $MINIMA_DATA_ROOT)'),
    json: z.boolean().default(false),
  })
  .strict();
export type DataInfoCommandOptions = z.input<typeof dataInfoCommandOptions>;

/** The CLI's `data info TARGET [overrides]`: TARGET is an experiment file (its dataset and data seed) or a dataset name. */
export async function dataInfoCommand(input: DataInfoCommandOptions, ctx: DataInfoContext & { readonly cwd: string }): Promise<ExitCodeValue> {
  const o = dataInfoCommandOptions.parse(input);
  const root = o.root ? resolve(ctx.cwd, o.root) : defaultDataRoot(ctx.cwd);
  const common = { root, json: o.json, ...(o.out ? { out: resolve(ctx.cwd, o.out) } : {}) };
  if (/\.ya?ml$/i.test(o.target) || existsSync(resolve(ctx.cwd, o.target))) {
    const loaded = await loadExperiment(o.target, [...o.overrides], { cwd: ctx.cwd });
    await dataInfo({ ...common, target: loaded.config.dataset, seed: loaded.config.data_seed, configDir: loaded.configDir }, ctx);
  } else {
    await dataInfo({ ...common, target: o.target }, ctx);
  }
  return ExitCode.ok;
}
