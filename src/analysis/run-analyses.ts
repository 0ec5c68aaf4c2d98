/**
 * Runs analyses on one run folder: each into `RUN_DIR/analysis/<folder>/` with result.json (the
 * numbers, options, checkpoint, seed), its data files, SVG + PNG figures and command.txt. Units of
 * work are kept in cache.json as they finish, so an interrupted analysis resumes where it stopped
 * when run again with the same options on the same checkpoint (other options start afresh).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { parse as parseYaml } from 'yaml';
import * as tf from '../backends/tf.js';
import { ExitCode, InterruptedError, RunnerError } from '../core/errors.js';
import type { Registry, Spec } from '../core/registry.js';
import { renderFigure } from '../report/figure.js';
import { writeFileAtomic, writeJsonAtomic } from '../run/atomic.js';
import { minimaVersion } from '../run/meta.js';
import { openRun, type OpenedRun } from './open-run.js';
import type { Analysis, AnalysisContext, AnalysisDeps } from './types.js';

/** One analysis of the command line: `landscape`, `hessian:class=9,top_k=5`, `interpolate RUN_B`. */
export interface AnalysisRequest {
  readonly spec: Spec;
}

/** Splits `a=1,b=[2,3]` at the commas outside brackets. */
function splitOptions(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * The ANALYSIS… words: `name` or `name:key=value,key=value` (values read as YAML: 5, 1e-3, [-1, 1],
 * null, biasbn). A word after `interpolate` that is a folder with a config.yaml is its `other` run.
 */
export function parseAnalysisArgs(words: readonly string[], cwd: string, isRunDir: (path: string) => boolean): AnalysisRequest[] {
  const out: AnalysisRequest[] = [];
  for (const word of words) {
    const last = out.at(-1);
    if (last && last.spec.name === 'interpolate' && last.spec.other === undefined && isRunDir(resolve(cwd, word)) && !word.includes(':')) {
      out[out.length - 1] = { spec: { ...last.spec, other: word } };
      continue;
    }
    const colon = word.indexOf(':');
    const name = colon < 0 ? word : word.slice(0, colon);
    const spec: Record<string, unknown> = { name };
    if (colon >= 0) {
      for (const part of splitOptions(word.slice(colon + 1))) {
        const eq = part.indexOf('=');
        if (eq <= 0) throw new RunnerError('USAGE', `analysis "${word}": options are key=value pairs separated by commas (got "${part}")`, ExitCode.usage);
        const key = part.slice(0, eq).trim();
        const raw = part.slice(eq + 1).trim();
        let value: unknown;
        try {
          value = parseYaml(raw);
        } catch {
          value = raw;
        }
        spec[key] = value;
      }
    }
    out.push({ spec: spec as Spec });
  }
  return out;
}

export interface RunAnalysesOptions {
  readonly runDir: string;
  readonly cwd: string;
  readonly checkpoint?: number;
  readonly requests: readonly AnalysisRequest[];
  readonly registry: Registry<Analysis, AnalysisDeps>;
  readonly stderr: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly quiet: boolean;
  readonly argv: readonly string[];
  readonly signal?: AbortSignal;
  /** Ignore cache.json: compute every unit again. */
  readonly fresh?: boolean;
}

export interface AnalysisOutcome {
  readonly name: string;
  readonly folder: string;
  readonly dir: string;
  readonly result: Record<string, unknown>;
  readonly files: readonly string[];
}

function csv(rows: readonly Readonly<Record<string, number | string | null>>[]): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  return `${keys.join(',')}\n${rows.map((r) => keys.map((k) => cell(r[k])).join(',')).join('\n')}\n`;
}

function progressBar(o: RunAnalysesOptions, total: number, label: string): { tick(n?: number): void; stop(): void } {
  if (o.quiet || total <= 0) return { tick() {}, stop() {} };
  if (o.isTTY) {
    const bar = new cliProgress.SingleBar({ stream: o.stderr as NodeJS.WriteStream, format: ` ${label} {bar} {value}/{total} | ETA {eta_formatted}`, barsize: 24, hideCursor: true, fps: 4 }, cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    return { tick: (n = 1) => bar.increment(n), stop: () => bar.stop() };
  }
  // not a terminal: a line at every tenth
  let done = 0;
  let shown = 0;
  const started = Date.now();
  return {
    tick(n = 1) {
      done += n;
      const tenth = Math.floor((10 * done) / total);
      if (tenth > shown) {
        shown = tenth;
        o.stderr.write(`${label}: ${done}/${total} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      }
    },
    stop() {},
  };
}

export async function runAnalyses(o: RunAnalysesOptions): Promise<AnalysisOutcome[]> {
  if (o.requests.length === 0) throw new RunnerError('USAGE', `name at least one analysis: ${o.registry.names().join(', ')}`, ExitCode.usage);
  // every spec is checked before anything is opened or computed
  const resolved = o.requests.map((r, i) => o.registry.resolve(r.spec, ['analysis', i]));
  const analyses = resolved.map((spec) => ({ spec, analysis: o.registry.build(spec, [], {}) }));
  const run = await openRun(o.runDir, { cwd: o.cwd, ...(o.checkpoint !== undefined ? { checkpoint: o.checkpoint } : {}) });
  const others: OpenedRun[] = [];
  const outcomes: AnalysisOutcome[] = [];
  try {
    for (const { spec, analysis } of analyses) {
      if (o.signal?.aborted) throw new InterruptedError(typeof o.signal.reason === 'string' ? o.signal.reason : 'abort');
      const dir = join(run.dir, 'analysis', analysis.folder);
      mkdirSync(dir, { recursive: true });
      const files: string[] = [];
      const key = JSON.stringify({ spec, checkpoint: run.step, version: 1 });
      const cachePath = join(dir, 'cache.json');
      let units: Record<string, unknown> = {};
      if (existsSync(cachePath) && o.fresh !== true) {
        try {
          const stored = JSON.parse(readFileSync(cachePath, 'utf8')) as { key?: string; units?: Record<string, unknown> };
          if (stored.key === key && stored.units) units = stored.units;
        } catch { /* a damaged cache is recomputed */ }
      }
      const reused = Object.keys(units).length;
      if (reused > 0 && !o.quiet) o.stderr.write(`${analysis.folder}: resuming, ${reused} unit(s) read back from ${cachePath}\n`);
      const ctx: AnalysisContext = {
        run,
        async openOther(path, checkpoint) {
          const other = await openRun(path, { cwd: o.cwd, ...(checkpoint !== undefined ? { checkpoint } : {}) });
          others.push(other);
          return other;
        },
        async unit<T>(name: string, compute: () => Promise<T>): Promise<T> {
          if (name in units) return units[name] as T;
          if (o.signal?.aborted) throw new InterruptedError(typeof o.signal.reason === 'string' ? o.signal.reason : 'abort');
          const value = await compute();
          units[name] = JSON.parse(JSON.stringify(value));
          writeJsonAtomic(cachePath, { key, units });
          return value;
        },
        progress: (total, label) => progressBar(o, total, `${analysis.folder} ${label}`),
        writeJson(name, value) {
          writeJsonAtomic(join(dir, name), value);
          files.push(name);
        },
        writeCsv(name, rows) {
          writeFileAtomic(join(dir, name), csv(rows));
          files.push(name);
        },
        async writeFigure(name, chart) {
          const svg = await renderFigure(chart, { format: 'svg' });
          writeFileAtomic(join(dir, `${name}.svg`), svg);
          writeFileAtomic(join(dir, `${name}.png`), await renderFigure(chart, { format: 'png', dpi: 150 }));
          files.push(`${name}.svg`, `${name}.png`);
        },
        log: (line) => { if (!o.quiet) o.stderr.write(`${line}\n`); },
      };
      const started = Date.now();
      const before = tf.memory().numTensors;
      const values = await analysis.run(ctx);
      const leaked = tf.memory().numTensors - before;
      if (leaked !== 0 && !o.quiet) o.stderr.write(`warning: ${analysis.folder} left ${leaked} tensor(s) allocated\n`);
      const result = { analysis: spec.name, run: run.dir, checkpoint: run.step, options: Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'name')), minima: minimaVersion(), seconds: Math.round((Date.now() - started) / 100) / 10, ...values };
      writeJsonAtomic(join(dir, 'result.json'), result);
      writeFileAtomic(join(dir, 'command.txt'), `${o.argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}\n`);
      files.push('result.json', 'command.txt', 'cache.json');
      outcomes.push({ name: spec.name, folder: analysis.folder, dir, result, files });
    }
  } finally {
    for (const r of others) r.dispose();
    run.dispose();
  }
  return outcomes;
}
