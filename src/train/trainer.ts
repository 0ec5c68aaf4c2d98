/**
 * The training loop, over named parts: the batch plan (batches.ts), the step (step.ts), the
 * metric window (metric-window.ts), diagnostics (diagnostic-context.ts), evaluation (evaluate.ts)
 * and checkpoints (checkpointer.ts). Everything random is a function of (seed, step), so a run
 * resumed from a checkpoint at step k continues exactly as if it had never stopped, given the
 * order kept here: the step's BatchNorm statistics are assigned inside trainStep, before anything
 * else reads the model; losses are drained before every row, evaluation and checkpoint that is due.
 */
import type { Logger } from 'pino';
import * as tf from '../backends/tf.js';
import { ExitCode, InterruptedError, RunnerError } from '../core/errors.js';
import { Rng } from '../core/random.js';
import { mixBatch } from '../data/mix.js';
import type { RunWriter } from '../run/run-writer.js';
import { BatchPlan } from './batches.js';
import type { Experiment } from './build.js';
import { Checkpointer, type LoopState } from './checkpointer.js';
import { fileArtifactStore, runDiagnostics } from './diagnostic-context.js';
import { evaluateSplits } from './evaluate.js';
import { MetricWindow, roundSeconds, syncEvery } from './metric-window.js';
import { createParameterSets, evaluateParameterSets, teacherOutputs } from './parameter-sets.js';
import type { Schedule } from '../optim/types.js';
import type { Progress } from './progress.js';
import { stepContext, trainStep } from './step.js';

export type { LoopState } from './checkpointer.js';

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

export async function train(exp: Experiment, opts: TrainOptions): Promise<TrainResult> {
  const { config, optimizer, schedule, totalSteps, stepsPerEpoch } = exp;
  const { writer, log, progress } = opts;
  const t = config.train;
  const due = (done: number, every: number) => done % every === 0 || done === totalSteps;
  const [evalEvery, ckptEvery] = [t.eval_every ?? stepsPerEpoch, t.checkpoint_every ?? stepsPerEpoch];
  const plan = BatchPlan.forBackend(exp.dataset, config.seed, t.batch_size, tf.getBackend(), t.sampler);
  const sets = createParameterSets(exp); // EMA …: before the restore, which overwrites their state
  const checkpoints = new Checkpointer(exp, writer.path('checkpoints'), t.keep_checkpoints, log, sets);
  const resumed = opts.resumeFrom ? checkpoints.restore(opts.resumeFrom) : undefined;
  if (resumed) log.info({ step: resumed.step, checkpoint: opts.resumeFrom }, 'resumed');
  // a metric-driven schedule (reduce-on-plateau) continues with the reductions it had made
  if (resumed?.schedule && schedule.observer) schedule.observer.setState(resumed.schedule);
  const loop = { step: resumed?.step ?? 0, samples: resumed?.samples ?? 0, trainTimeS: resumed?.trainTimeS ?? 0, seed: resumed?.seed ?? config.seed };
  const hyperparams = () => optimizer.currentHyperparams();
  const window = new MetricWindow({ writer, logEvery: t.log_every, totalSteps, stepsPerEpoch, syncEvery: syncEvery(tf.getBackend()), hyperparams, skipNonFinite: t.on_nonfinite === 'skip' }, resumed?.window);
  const snapshot = (): LoopState => ({ step: loop.step, window: window.counters(), samples: loop.samples, trainTimeS: loop.trainTimeS, seed: loop.seed, ...(schedule.observer ? { schedule: schedule.observer.getState() } : {}) });
  let stepStart = performance.now();
  // rows written during a step count the step's time so far; loop.trainTimeS gains it at the step's end
  const clock = () => ({ elapsedS: loop.trainTimeS + (performance.now() - stepStart) / 1000, samples: loop.samples });
  const pause = eventLoopPause(50);
  try {
    plan.prepare(); // the resident train split (if any) is built here, outside the first step's timing
    for (let s = loop.step; s < totalSteps; s++) {
      await pause();
      const stop = opts.stopRequested();
      if (stop) {
        await window.drain(clock);
        await checkpoints.ensure(s, snapshot());
        throw new InterruptedError(stop);
      }
      stepStart = performance.now();
      const done = s + 1;
      let stepMs = 0;
      const { epoch, x, y, index, group, size } = plan.trainTensors(s);
      optimizer.setLearningRate(schedule(s));
      for (const h of exp.hyperSchedules) optimizer.setHyperparameter(h.path, h.at(s));
      // train.mix: mixed inputs and soft targets, drawn from (seed, step) alone
      const mixed = t.mix ? mixBatch(x, y, exp.dataset.spec.numClasses, t.mix, Rng.derive(config.seed, 'mix', s)) : undefined;
      // a distilling loss (mesa) reads the EMA teacher's outputs, taken before the step moves anything
      const teacher = exp.objective.needs.teacher ? teacherOutputs(exp, sets, mixed?.x ?? x) : undefined;
      try {
        const step = stepContext(exp, { x: mixed?.x ?? x, y, index, ...(group ? { group } : {}), ...(mixed ? { target: mixed.target } : {}), ...(teacher ? { teacher } : {}) }, s, epoch);
        window.push(done, trainStep(exp, step, (k) => plan.extraTensors(s, k)));
        for (const set of sets) set.update(done);
        loop.step = done;
        loop.samples += size;
        if (window.full || due(done, t.log_every) || due(done, evalEvery) || due(done, ckptEvery)) await window.drain(clock);
        stepMs = performance.now() - stepStart;
        loop.trainTimeS += stepMs / 1000;
        const lastLoss = window.lastLoss;
        progress.update({ step: done, epoch: epoch + 1, ...(lastLoss !== undefined ? { loss: lastLoss } : {}), samplesPerSec: loop.samples / Math.max(1e-9, loop.trainTimeS) });
        const values = await runDiagnostics(exp, step, done, { lr: schedule(s), artifacts: fileArtifactStore(writer.dir) });
        if (values) writer.appendMetrics({ step: done, epoch, split: 'train', ...values, diagnostics: true, time_s: roundSeconds(loop.trainTimeS) });
      } finally {
        tf.dispose([x, y, index, ...(group ? [group] : []), ...(mixed ? [mixed.target, ...(mixed.x !== x ? [mixed.x] : [])] : []), ...(teacher ? [teacher] : [])]);
      }
      if (opts.onStepEnd) await opts.onStepEnd(done, stepMs);
      if (due(done, evalEvery)) {
        const values = await evaluateSplits(exp, done, loop.trainTimeS, opts);
        if (schedule.observer) observeMetric(schedule.observer, values);
        await evaluateParameterSets(exp, sets, done, loop.trainTimeS, opts);
      }
      if (due(done, ckptEvery)) await checkpoints.save(done, snapshot());
    }
  } finally {
    window.dispose();
    plan.dispose();
    for (const set of sets) set.dispose();
  }
  return { steps: loop.step, samples: loop.samples, trainTimeS: loop.trainTimeS, ...(checkpoints.last ? { lastCheckpoint: checkpoints.last } : {}) };
}

/** Hands a metric-driven schedule its metric; the build checked that its split is evaluated. */
function observeMetric(observer: NonNullable<Schedule['observer']>, values: Readonly<Record<string, number>>): void {
  const v = values[observer.metric];
  if (v === undefined) throw new RunnerError('CONFIG_INVALID', `schedule.metric: the evaluation has no ${observer.metric} (it has ${Object.keys(values).join(', ')})`, ExitCode.usage);
  observer.observe(v);
}

/**
 * On cpu/wasm every `await t.data()` resolves as a microtask, so the loop would never let the
 * event loop run: signals (Ctrl-C) and stderr writes would wait until training ends. The returned
 * function yields once `everyMs` have passed since the last yield.
 */
function eventLoopPause(everyMs: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await new Promise<void>((r) => setImmediate(r));
    last = performance.now();
  };
}
