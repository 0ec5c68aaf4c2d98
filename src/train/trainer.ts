/**
 * The training loop. One step = build the closure for the step's batch → optimizer.step inside
 * one tf.tidy → BN statistics from the first evaluation assigned → loss read asynchronously.
 * Everything random is a function of (seed, step), so a run resumed from a checkpoint at step k
 * continues exactly as if it had never stopped.
 */
import * as tf from '../backends/tf.js';
import type { Logger } from 'pino';
import { hashSeed } from '../core/random.js';
import { InterruptedError, NonFiniteLossError } from '../core/errors.js';
import type { Experiment } from './build.js';
import { BatchPlan } from './batches.js';
import { copiesOnUpload, packKernelActive } from '../backends/index.js';
import { evaluateSplit } from './evaluate.js';
import type { Progress } from './progress.js';
import type { MetricRow, RunWriter } from '../run/run-writer.js';
import { loadCheckpoint, pruneCheckpoints, saveCheckpoint, listCheckpoints } from '../run/checkpoint.js';
import type { Closure } from '../optim/types.js';
import type { DiagnosticContext } from '../diagnostics/index.js';

/** Training-loop counters that a checkpoint carries besides tensors. */
export interface LoopState {
  readonly step: number;
  readonly window: { readonly lossSum: number; readonly count: number; readonly gradEvals: number };
  readonly samples: number;
  readonly trainTimeS: number;
  readonly seed: number;
}

export interface TrainOptions {
  readonly writer: RunWriter;
  readonly log: Logger;
  readonly progress: Progress;
  /** Set when SIGINT/SIGTERM arrived: the loop checkpoints and stops. */
  readonly stopRequested: () => string | undefined;
  /** Resume from this checkpoint folder. */
  readonly resumeFrom?: string;
  /** Called after each step (1-based) with its duration in ms, outside the timing of the next. */
  readonly onStepEnd?: (step: number, stepMs: number) => void | Promise<void>;
}

export interface TrainResult {
  readonly steps: number;
  readonly samples: number;
  readonly trainTimeS: number;
  readonly lastCheckpoint?: string;
}

/** Everything a checkpoint holds; `owned` are the getState() clones, which the caller disposes. */
function tensorsOf(exp: Experiment): { tensors: tf.NamedTensorMap; owned: tf.Tensor[] } {
  const out: tf.NamedTensorMap = {};
  const owned: tf.Tensor[] = [];
  for (const p of exp.params) out[`${p.owner}/${p.name}`] = p.variable;
  for (const b of exp.model.buffers) out[`buffer/${b.name}`] = b.variable;
  for (const [k, v] of Object.entries(exp.objective.getState?.() ?? {})) { out[`lossstate/${k}`] = v; owned.push(v); }
  for (const [k, v] of Object.entries(exp.optimizer.getState())) { out[`optim/${k}`] = v; owned.push(v); }
  return { tensors: out, owned };
}

function restore(exp: Experiment, tensors: tf.NamedTensorMap): void {
  const take = (key: string): tf.Tensor => {
    const t = tensors[key];
    if (!t) throw new Error(`checkpoint lacks tensor ${key}`);
    return t;
  };
  for (const p of exp.params) p.variable.assign(take(`${p.owner}/${p.name}`));
  for (const b of exp.model.buffers) b.variable.assign(take(`buffer/${b.name}`));
  const prefixed = (prefix: string): tf.NamedTensorMap =>
    Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  if (exp.objective.setState) exp.objective.setState(prefixed('lossstate/'));
  exp.optimizer.setState(prefixed('optim/'));
}

export async function train(exp: Experiment, opts: TrainOptions): Promise<TrainResult> {
  const { config, dataset, model, objective, optimizer, schedule } = exp;
  const { writer, log, progress } = opts;
  const seed = config.seed;
  // On wasm, batches are gathered in the heap by the kernel pack's GatherV2 (rows copied inside
  // wasm; the stock kernel is ~150× slower than a JS gather), or, for augmented data and splits
  // over deviceSplitLimitBytes, gathered in JS into one reused buffer that the upload copies.
  const onWasm = copiesOnUpload(tf.getBackend());
  const plan = new BatchPlan(dataset, seed, config.train.batch_size, { onDevice: onWasm && packKernelActive('GatherV2'), reuseInputs: onWasm });
  const evalEvery = config.train.eval_every ?? exp.stepsPerEpoch;
  const ckptEvery = config.train.checkpoint_every ?? exp.stepsPerEpoch;
  const logEvery = config.train.log_every;
  const ckptRoot = writer.path('checkpoints');
  const vars = exp.params.map((p) => p.variable);
  const varByName = new Map(vars.map((v) => [v.name, v]));

  // Mutated in place every step (a fresh object per step showed up in profiles); checkpoints
  // store a copy.
  const state = { step: 0, window: { lossSum: 0, count: 0, gradEvals: 0 }, samples: 0, trainTimeS: 0, seed };
  const snapshot = (): LoopState => ({ step: state.step, window: { ...state.window }, samples: state.samples, trainTimeS: state.trainTimeS, seed: state.seed });
  if (opts.resumeFrom) {
    const ck = loadCheckpoint<LoopState>(opts.resumeFrom);
    try {
      restore(exp, ck.tensors);
    } finally {
      tf.dispose(Object.values(ck.tensors));
    }
    Object.assign(state, ck.state, { window: { ...ck.state.window } });
    log.info({ step: state.step, checkpoint: opts.resumeFrom }, 'resumed');
  }
  let lastCheckpoint = listCheckpoints(ckptRoot).at(-1)?.dir;

  const epochOf = (step: number) => Math.floor(step / exp.stepsPerEpoch);
  const hyper = () => optimizer.currentHyperparams();

  const checkpoint = async (step: number) => {
    const { tensors, owned } = tensorsOf(exp);
    try {
      lastCheckpoint = await saveCheckpoint(ckptRoot, step, snapshot(), tensors);
    } finally {
      tf.dispose(owned);
    }
    pruneCheckpoints(ckptRoot, config.train.keep_checkpoints, lastCheckpoint);
    log.info({ step, dir: lastCheckpoint }, 'checkpoint');
  };

  const evaluate = async (step: number) => {
    const epoch = epochOf(Math.max(0, step - 1));
    for (const split of config.train.eval_splits) {
      const metrics = await evaluateSplit({ dataset, model, objective, batchSize: config.train.eval_batch_size, step, epoch, seed: hashSeed(seed, 'eval') }, split);
      const row: MetricRow = { step, epoch, split, ...metrics, eval: true, time_s: round(state.trainTimeS) };
      writer.appendMetrics(row);
      log.info(row, 'eval');
      if (split === 'test' || config.train.eval_splits.length === 1) {
        const shown = ['loss', 'accuracy', 'clean_accuracy', 'ece', 'rmse', 'r2'].filter((k) => metrics[k] !== undefined);
        progress.log(`eval step ${step}: ${shown.map((k) => `${split}.${k} ${fmt(metrics[k]!)}`).join('  ')}`);
      }
    }
  };

  const runDiagnostics = async (step: number, x: tf.Tensor, y: tf.Tensor) => {
    const due = exp.diagnostics.filter((d) => step % d.diagnostic.every === 0);
    if (due.length === 0) return;
    const lctx = { step, epoch: epochOf(step - 1), training: false, data: dataset.spec, seed: hashSeed(seed, 'loss', step) };
    const lossAt = (): tf.Scalar => {
      const m = model.apply(x, { training: false });
      const per = objective.compute({ output: m.output, embedding: m.embedding, y }, lctx);
      return per.rank === 0 ? (per as tf.Scalar) : tf.mean(per);
    };
    const ctx: DiagnosticContext = {
      params: exp.params,
      step,
      evaluate(offset) {
        const saved = offset ? vars.map((v) => tf.keep(v.clone())) : [];
        try {
          if (offset) {
            for (const p of exp.params) {
              const o = offset[p.name];
              if (!o) continue;
              const moved = tf.add(p.variable, o);
              p.variable.assign(moved);
              moved.dispose(); // assign copies the data reference; the temporary is ours to free
            }
          }
          const { value, grads } = tf.variableGrads(lossAt, vars);
          const named: tf.NamedTensorMap = {};
          for (const p of exp.params) named[p.name] = grads[p.variable.name] ?? tf.zerosLike(p.variable);
          return { loss: value, grads: named };
        } finally {
          if (offset) { vars.forEach((v, i) => v.assign(saved[i]!)); tf.dispose(saved); }
        }
      },
      perExampleLoss() {
        // the caller owns only the result: the forward pass's intermediates are freed here
        return tf.tidy(() => {
          const m = model.apply(x, { training: false });
          const per = objective.compute({ output: m.output, embedding: m.embedding, y }, lctx);
          return (per.rank === 0 ? tf.reshape(per, [1]) : per) as tf.Tensor1D;
        });
      },
    };
    const values: Record<string, number> = {};
    for (const d of due) Object.assign(values, await d.diagnostic.run(ctx));
    writer.appendMetrics({ step, epoch: epochOf(step - 1), split: 'train', ...values, diagnostics: true, time_s: round(state.trainTimeS) });
  };

  const pending: { step: number; loss: tf.Scalar; extras: tf.NamedTensorMap; gradEvals: number; size: number }[] = [];
  const syncEvery = /webgpu|tensorflow/.test(tf.getBackend()) ? 10 : 1;
  let lastLoss: number | undefined;
  let stepStart = performance.now();

  /** Reads queued step losses; throws on a non-finite one (its checkpoint is never written). */
  const drain = async () => {
    while (pending.length > 0) {
      const p = pending.shift()!;
      const names = Object.keys(p.extras);
      // one await when there are no diagnostics (the common case), all reads at once otherwise
      const [lossArr, ...extraArr] = names.length === 0 ? [await p.loss.data()] : await Promise.all([p.loss.data(), ...names.map((k) => p.extras[k]!.data())]);
      tf.dispose([p.loss, ...Object.values(p.extras)]);
      const loss = lossArr![0]!;
      if (!Number.isFinite(loss)) {
        tf.dispose(pending.flatMap((q) => [q.loss, ...Object.values(q.extras)]));
        pending.length = 0;
        throw new NonFiniteLossError(p.step, loss);
      }
      lastLoss = loss;
      const w = state.window;
      w.lossSum += loss;
      w.count += 1;
      w.gradEvals += p.gradEvals;
      if (p.step % logEvery === 0 || p.step === exp.totalSteps) {
        // state.trainTimeS does not yet include the step in progress (its time ends after this drain)
        const elapsed = state.trainTimeS + (performance.now() - stepStart) / 1000;
        const extras = Object.fromEntries(names.map((k, i) => [k, extraArr[i]![0]!]));
        const row: MetricRow = {
          step: p.step,
          epoch: epochOf(p.step - 1),
          split: 'train',
          loss: state.window.lossSum / state.window.count,
          ...hyper(),
          grad_evals: state.window.gradEvals / state.window.count,
          ...extras,
          time_s: round(elapsed),
          samples_per_s: round(state.samples / Math.max(1e-9, elapsed)),
        };
        writer.appendMetrics(row);
        state.window = { lossSum: 0, count: 0, gradEvals: 0 };
      }
    }
  };

  // On cpu/wasm every `await t.data()` resolves as a microtask, so the loop would never let the
  // event loop run: signals (Ctrl-C) and stderr writes would wait until training ends.
  let lastYield = performance.now();
  const yieldToEventLoop = async () => {
    await new Promise<void>((r) => setImmediate(r));
    lastYield = performance.now();
  };

  try {
    // the resident train split (if any) is built here, outside the first step's timing
    plan.prepare();
    for (let s = state.step; s < exp.totalSteps; s++) {
      if (performance.now() - lastYield >= 50) await yieldToEventLoop();
      const stop = opts.stopRequested();
      if (stop) {
        await drain();
        if (!lastCheckpoint || !lastCheckpoint.endsWith(String(s).padStart(6, '0'))) await checkpoint(s);
        throw new InterruptedError(stop);
      }
      stepStart = performance.now();
      let stepMs = 0;
      const { epoch, x, y, size } = plan.trainTensors(s);
      const lr = schedule(s);
      optimizer.setLearningRate(lr);
      const done = s + 1;
      try {
        const lctx = { step: s, epoch, training: true, data: dataset.spec, seed: hashSeed(seed, 'loss', s) };
        const dropoutSeed = hashSeed(seed, 'dropout', s);
        let evals = 0;
        let statUpdates: (readonly [tf.Variable, tf.Tensor])[] = [];
        const closure: Closure = () => {
          const first = evals === 0;
          evals++;
          const { value, grads } = tf.variableGrads(() => {
            const m = model.apply(x, { training: true, dropoutSeed });
            if (first && m.updates) statUpdates = m.updates.map(([v, t]) => [v, tf.keep(t)] as const);
            const input = { output: m.output, embedding: m.embedding, y };
            const per = objective.compute(input, lctx);
            if (first && objective.commit) objective.commit(input, lctx);
            return per.rank === 0 ? (per as tf.Scalar) : tf.mean(per);
          }, vars);
          return { loss: value, grads: exp.params.map((p) => grads[p.variable.name] ?? tf.zerosLike(p.variable)) };
        };
        const out = tf.tidy(() => {
          const r = optimizer.step(closure);
          return { loss: r.loss, extras: { ...(r.diagnostics ?? {}) }, gradEvals: r.gradEvals };
        });
        for (const [v, t] of statUpdates) {
          if (varByName.has(v.name)) throw new Error(`model update targets trainable variable ${v.name}`);
          v.assign(t);
          t.dispose();
        }
        pending.push({ step: s + 1, loss: out.loss, extras: out.extras, gradEvals: out.gradEvals, size });
        state.step = s + 1;
        state.samples += size;
        const mustSync = pending.length >= syncEvery || done % logEvery === 0 || done % evalEvery === 0 || done % ckptEvery === 0 || done === exp.totalSteps;
        if (mustSync) await drain();
        stepMs = performance.now() - stepStart;
        state.trainTimeS += stepMs / 1000;
        progress.update({ step: done, epoch: epochOf(done - 1) + 1, ...(lastLoss !== undefined ? { loss: lastLoss } : {}), samplesPerSec: state.samples / Math.max(1e-9, state.trainTimeS) });
        // Diagnostics measure on this step's batch: the same tensors, not a second gather.
        if (exp.diagnostics.length > 0) await runDiagnostics(done, x, y);
      } finally {
        tf.dispose([x, y]);
      }
      if (opts.onStepEnd) await opts.onStepEnd(done, stepMs);
      if (done % evalEvery === 0 || done === exp.totalSteps) await evaluate(done);
      if (done % ckptEvery === 0 || done === exp.totalSteps) await checkpoint(done);
    }
  } finally {
    tf.dispose(pending.flatMap((q) => [q.loss, ...Object.values(q.extras)]));
    plan.dispose();
  }
  return { steps: state.step, samples: state.samples, trainTimeS: state.trainTimeS, ...(lastCheckpoint ? { lastCheckpoint } : {}) };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2);
}
