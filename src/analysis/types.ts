/**
 * The analysis registry's shape (`minima analyze RUN_DIR NAME…`): an entry is data (name, summary,
 * zod schema with defaults, info with `source` and `cost`) whose `create` gives the analysis; its
 * `run` reads the opened run through the context and writes its results there.
 */
import type { Entry } from '../core/registry.js';
import type { ChartSpec } from '../report/charts.js';
import type { OpenedRun } from './open-run.js';

export interface AnalysisContext {
  /** The run at the chosen checkpoint (variables hold the checkpoint's weights on entry; restore them if you move them). */
  readonly run: OpenedRun;
  /** Opens another run folder (interpolate's second run) at a checkpoint (default its newest); the context disposes it at the end. */
  openOther(path: string, checkpoint?: number): Promise<OpenedRun>;
  /**
   * A unit of work whose JSON result is kept in `cache.json` of the analysis folder: a rerun with the
   * same options on the same checkpoint reads it back instead of computing it (resume after a stop).
   */
  unit<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** A progress bar over `total` units (stderr; plain lines when not a TTY). */
  progress(total: number, label: string): { tick(n?: number): void; stop(): void };
  writeJson(name: string, value: unknown): void;
  /** Rows of plain values as CSV, columns in the first row's key order. */
  writeCsv(name: string, rows: readonly Readonly<Record<string, number | string | null>>[]): void;
  /** `<name>.svg` and `<name>.png` drawn from a Vega-Lite spec (report/figure.ts). */
  writeFigure(name: string, spec: ChartSpec): Promise<void>;
  /** A line for the human (stderr). */
  log(line: string): void;
}

export interface Analysis {
  /** The folder under `analysis/` (default the entry's name): e.g. `hessian-class-9`. */
  readonly folder: string;
  /** Runs the analysis; the returned numbers go to result.json and the terminal. */
  run(ctx: AnalysisContext): Promise<Record<string, unknown>>;
}

export type AnalysisDeps = Readonly<Record<string, unknown>>;
export type AnalysisEntry<O = any> = Entry<O, Analysis, AnalysisDeps>;
