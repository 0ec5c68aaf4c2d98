/**
 * The diagnostics' side of a step: their context on the step's batch (the same tensors, no second
 * gather) in eval mode, and the run of those that are due. `evaluate(at)` keeps the optimizer
 * facade's semantics (optim/optimizer.ts): absolute values in ParamSpec order, weights restored by
 * reference afterwards. `evaluate(at, rows)` and `subBatches(m)` run the same code path on a slice
 * of the batch; `artifact(name, data)` writes `<run>/artifacts/<diagnostic>/<name>` atomically.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../backends/tf.js';
import { hashSeed } from '../core/random.js';
import type { Batch, LossContext } from '../core/types.js';
import type { DiagnosticContext } from '../diagnostics/index.js';
import type { RowSelection, SubBatch } from '../diagnostics/types.js';
import { writeFileAtomic } from '../run/atomic.js';
import type { Experiment } from './build.js';
import { forwardLoss, lossAndGrads, meanLoss, type StepContext } from './step.js';

/** Where diagnostics' artifacts go: files under a run folder, or memory (unit tests, no run). */
export interface ArtifactStore {
  /** Writes `artifacts/<folder>/<name>` and returns that relative path. */
  write(folder: string, name: string, data: string | Uint8Array): string;
  read(folder: string, name: string): string | undefined;
}

/** The folder every artifact of a run lives under, relative to the run folder. */
export const ARTIFACTS_DIR = 'artifacts';

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkName(kind: string, name: string): void {
  if (!FILE_NAME.test(name) || name.length > 200) throw new Error(`artifact ${kind} "${name}": use letters, digits and ._- (no folders), starting with a letter or digit`);
}

/** Artifacts as files under `<runDir>/artifacts/`, each replaced atomically (src/run/atomic.ts). */
export function fileArtifactStore(runDir: string): ArtifactStore {
  return {
    write(folder, name, data) {
      checkName('folder', folder);
      checkName('name', name);
      const dir = join(runDir, ARTIFACTS_DIR, folder);
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(join(dir, name), data);
      return `${ARTIFACTS_DIR}/${folder}/${name}`;
    },
    read(folder, name) {
      checkName('folder', folder);
      checkName('name', name);
      const p = join(runDir, ARTIFACTS_DIR, folder, name);
      return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
    },
  };
}

/** Artifacts kept in a Map (`files`, keyed by relative path): a context outside a run folder. */
export function memoryArtifactStore(): ArtifactStore & { readonly files: Map<string, string | Uint8Array> } {
  const files = new Map<string, string | Uint8Array>();
  return {
    files,
    write(folder, name, data) {
      checkName('folder', folder);
      checkName('name', name);
      const key = `${ARTIFACTS_DIR}/${folder}/${name}`;
      files.set(key, typeof data === 'string' ? data : new Uint8Array(data));
      return key;
    },
    read(folder, name) {
      const v = files.get(`${ARTIFACTS_DIR}/${folder}/${name}`);
      return v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
    },
  };
}

/** What the trainer knows beyond the batch: the step's learning rate and where artifacts go. */
export interface DiagnosticExtras {
  readonly lr?: number;
  readonly artifacts?: ArtifactStore;
  /** The artifact folder of this context's diagnostic (runDiagnostics binds one per diagnostic). */
  readonly folder?: string;
}

function rowsOf(sel: RowSelection, n: number): { start: number; end: number } | Int32Array {
  if (sel instanceof Int32Array) {
    if (sel.length === 0) throw new Error('rows: empty selection');
    for (const r of sel) if (!(r >= 0 && r < n)) throw new Error(`rows: row ${r} outside the batch [0, ${n})`);
    return sel;
  }
  const { start, end } = sel;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start >= end) throw new Error(`rows: [${start}, ${end}) is not a non-empty range inside the batch [0, ${n})`);
  return { start, end };
}

/** The batch's per-row tensors (x, y and any other field with `n` rows) restricted to `sel`; the caller disposes the result's tensors. */
function sliceBatch(batch: Batch, sel: RowSelection, n: number): Batch {
  const rows = rowsOf(sel, n);
  const out: Record<string, unknown> = {};
  const idx = rows instanceof Int32Array ? tf.tensor1d(rows, 'int32') : undefined;
  try {
    for (const [k, v] of Object.entries(batch)) {
      if (v instanceof tf.Tensor && v.rank > 0 && v.shape[0] === n) {
        if (idx) out[k] = tf.gather(v, idx);
        else {
          const r = rows as { start: number; end: number };
          out[k] = tf.slice(v, [r.start, ...v.shape.slice(1).map(() => 0)], [r.end - r.start, ...v.shape.slice(1).map(() => -1)]);
        }
      } else out[k] = v;
    }
  } finally {
    idx?.dispose();
  }
  return out as unknown as Batch;
}

function disposeSlice(slice: Batch, batch: Batch): void {
  const own = batch as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(slice)) if (v instanceof tf.Tensor && v !== own[k]) v.dispose();
}

/** `m` contiguous ranges covering [0, n), sizes differing by at most one (the first ones larger). */
export function splitRows(n: number, m: number): { start: number; end: number }[] {
  if (!Number.isInteger(m) || m < 1 || m > n) throw new Error(`subBatches: m must be an integer in [1, ${n}], got ${m}`);
  const base = Math.floor(n / m);
  const extra = n % m;
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i < m; i++) {
    const end = start + base + (i < extra ? 1 : 0);
    out.push({ start, end });
    start = end;
  }
  return out;
}

export function createDiagnosticContext(
  exp: Pick<Experiment, 'model' | 'objective' | 'params'>,
  batch: Batch,
  lctx: LossContext,
  step: number,
  extras: DiagnosticExtras = {},
): DiagnosticContext {
  const { model, objective, params } = exp;
  const vars = params.map((p) => p.variable);
  const n = batch.x.shape[0] ?? 0;
  const store = extras.artifacts ?? memoryArtifactStore();
  const folder = extras.folder ?? 'diagnostic';
  const mean = (b: Batch) => () => meanLoss(forwardLoss(model, objective, b, lctx).values);
  const onRows = <T>(rows: RowSelection | undefined, f: (b: Batch) => T): T => {
    if (!rows) return f(batch);
    const sub = sliceBatch(batch, rows, n);
    try {
      return f(sub);
    } finally {
      disposeSlice(sub, batch);
    }
  };
  const evaluate: DiagnosticContext['evaluate'] = (at, rows) =>
    onRows(rows, (b) => {
      if (!at) return lossAndGrads(params, mean(b));
      if (at.length !== vars.length) throw new Error(`evaluate: ${at.length} values for ${vars.length} parameters`);
      // assign() swaps the variables' data; the clones keep the old buffers to restore
      const origin = vars.map((v) => tf.keep(v.clone()));
      try {
        at.forEach((x, i) => vars[i]!.assign(x));
        return lossAndGrads(params, mean(b));
      } finally {
        origin.forEach((x, i) => vars[i]!.assign(x));
        tf.dispose(origin);
      }
    });
  const perExampleLoss: DiagnosticContext['perExampleLoss'] = (rows) =>
    onRows(rows, (b) =>
      // the caller owns only the result: the forward pass's intermediates are freed here
      tf.tidy(() => {
        const { values } = forwardLoss(model, objective, b, lctx);
        return (values.rank === 0 ? tf.reshape(values, [1]) : values) as tf.Tensor1D;
      }),
    );
  return {
    params,
    step,
    lr: extras.lr ?? Number.NaN,
    batchSize: n,
    evaluate,
    perExampleLoss,
    subBatches(m) {
      return splitRows(n, m).map(
        (rows): SubBatch => ({ rows, evaluate: (at) => evaluate(at, rows), perExampleLoss: () => perExampleLoss(rows) }),
      );
    },
    artifact: (name, data) => store.write(folder, name, data),
    readArtifact: (name) => store.read(folder, name),
  };
}

/** Each diagnostic's artifact folder: its name, or `<name>-<i>` when the config lists that name twice. */
export function artifactFolders(diagnostics: readonly { readonly name: string }[]): string[] {
  return diagnostics.map((d, i) => (diagnostics.filter((e) => e.name === d.name).length > 1 ? `${d.name}-${i}` : d.name));
}

/** Values of the diagnostics due after step `done` (1-based), measured on that step's batch; undefined when none is due. */
export async function runDiagnostics(
  exp: Experiment,
  step: StepContext,
  done: number,
  extras: Omit<DiagnosticExtras, 'folder'> = {},
): Promise<Record<string, number> | undefined> {
  const folders = artifactFolders(exp.diagnostics);
  const due = exp.diagnostics.map((d, i) => ({ ...d, folder: folders[i]! })).filter((d) => done % d.diagnostic.every === 0);
  if (due.length === 0) return undefined;
  // the step's loss context in eval mode, numbered (and seeded) as the finished step
  const lctx: LossContext = { ...step.loss, step: done, training: false, seed: hashSeed(exp.config.seed, 'loss', done) };
  const artifacts = extras.artifacts ?? memoryArtifactStore();
  const values: Record<string, number> = {};
  for (const d of due) Object.assign(values, await d.diagnostic.run(createDiagnosticContext(exp, step.batch, lctx, done, { ...extras, artifacts, folder: d.folder })));
  return values;
}
