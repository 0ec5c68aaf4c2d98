/**
 * Checkpoints of a run: every tensor that a bit-exact continuation needs (parameters, buffers,
 * loss state, optimizer state) plus the loop's counters, written into `<run>/checkpoints/step-N`.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { loadCheckpoint, pruneCheckpoints, saveCheckpoint } from '../run/checkpoint.js';
import { removeStaleTemps } from '../run/atomic.js';
import type { Experiment } from './build.js';
import type { WindowCounters } from './metric-window.js';
import { parameterSetTensors, restoreParameterSets, type ParameterSet } from './parameter-sets.js';

/** Training-loop counters that a checkpoint carries besides tensors. */
export interface LoopState {
  readonly step: number;
  readonly window: WindowCounters;
  readonly samples: number;
  readonly trainTimeS: number;
  readonly seed: number;
  /** A metric-driven schedule's state (reduce-on-plateau); absent for pure step → lr schedules. */
  readonly schedule?: Readonly<Record<string, number | null>>;
}

/** The shape of a LoopState read back from state.json (a damaged or hand-edited file is refused before anything is restored). */
export function loopStateProblem(state: unknown): string | undefined {
  const s = state as Partial<Record<keyof LoopState, unknown>>;
  for (const k of ['step', 'samples', 'trainTimeS', 'seed'] as const) if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) return `state.${k} is missing or not a number`;
  const w = s.window as Partial<Record<keyof WindowCounters, unknown>> | undefined;
  if (typeof w !== 'object' || w === null) return 'state.window is missing';
  for (const k of ['lossSum', 'count', 'gradEvals'] as const) if (typeof w[k] !== 'number') return `state.window.${k} is missing or not a number`;
  return undefined;
}

type Parts = Pick<Experiment, 'params' | 'model' | 'objective' | 'optimizer'>;

export class Checkpointer {
  /** The newest checkpoint folder this session wrote or restored, if any. */
  last: string | undefined;

  constructor(
    private readonly exp: Parts,
    private readonly root: string,
    private readonly keep: number,
    private readonly log: Logger,
    /** Second parameter sets (EMA …), saved under `paramset/<name>/`. */
    private readonly sets: readonly ParameterSet[] = [],
  ) {
    if (existsSync(root)) removeStaleTemps(root); // a save or removal killed half-way in an earlier session
  }

  /** Restores the experiment from checkpoint folder `dir`; returns the loop's counters. */
  restore(dir: string): LoopState {
    const ck = loadCheckpoint<LoopState>(dir, loopStateProblem);
    this.last = dir;
    try {
      restoreTensors(this.exp, ck.tensors);
      restoreParameterSets(this.sets, ck.tensors);
    } finally {
      tf.dispose(Object.values(ck.tensors));
    }
    return ck.state;
  }

  async save(step: number, state: LoopState): Promise<void> {
    const { tensors, owned } = tensorsOf(this.exp);
    for (const [k, v] of Object.entries(parameterSetTensors(this.sets))) { tensors[k] = v; owned.push(v); }
    try {
      this.last = await saveCheckpoint(this.root, step, state, tensors);
    } finally {
      tf.dispose(owned);
    }
    pruneCheckpoints(this.root, this.keep, this.last);
    this.log.info({ step, dir: this.last }, 'checkpoint');
  }

  /** Saves step `step` unless the newest checkpoint already is that step (an interrupt right after one). */
  async ensure(step: number, state: LoopState): Promise<void> {
    if (!this.last?.endsWith(String(step).padStart(6, '0'))) await this.save(step, state);
  }
}

/** Everything a checkpoint holds; `owned` are the getState() clones, which the caller disposes. */
function tensorsOf(exp: Parts): { tensors: tf.NamedTensorMap; owned: tf.Tensor[] } {
  const out: tf.NamedTensorMap = {};
  const owned: tf.Tensor[] = [];
  for (const p of exp.params) out[`${p.owner}/${p.name}`] = p.variable;
  for (const b of exp.model.buffers) out[`buffer/${b.name}`] = b.variable;
  for (const [k, v] of Object.entries(exp.objective.getState?.() ?? {})) { out[`lossstate/${k}`] = v; owned.push(v); }
  for (const [k, v] of Object.entries(exp.optimizer.getState())) { out[`optim/${k}`] = v; owned.push(v); }
  return { tensors: out, owned };
}

function restoreTensors(exp: Parts, tensors: tf.NamedTensorMap): void {
  // an intact checkpoint of another model (--allow-config-change) is refused by name, not by a tfjs error
  const take = (key: string, like: tf.Tensor): tf.Tensor => {
    const t = tensors[key];
    if (!t) throw new RunnerError('CHECKPOINT_INVALID', `the checkpoint lacks tensor ${key} (was it written by another model?)`);
    if (t.shape.join(',') !== like.shape.join(',')) throw new RunnerError('CHECKPOINT_INVALID', `checkpoint tensor ${key} has shape [${t.shape.join(', ')}], the model's is [${like.shape.join(', ')}]`);
    return t;
  };
  for (const p of exp.params) p.variable.assign(take(`${p.owner}/${p.name}`, p.variable));
  for (const b of exp.model.buffers) b.variable.assign(take(`buffer/${b.name}`, b.variable));
  const prefixed = (prefix: string): tf.NamedTensorMap =>
    Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  if (exp.objective.setState) exp.objective.setState(prefixed('lossstate/'));
  exp.optimizer.setState(prefixed('optim/'));
}
