/**
 * Per-example state owned by an objective: a rows × width float32 table keyed by train-row id
 * (LossInput.index), for losses that remember something about each example between visits
 * (ALDR-KL's λ_i, SAF's past outputs). `read` gathers the batch's rows (differentiable inputs
 * stay untouched: the table is state, not a parameter); `write` replaces them and belongs in the
 * objective's commit(), which runs once per step, so SAM-type extra evaluations read the same
 * table as the step's first pass. The table travels in checkpoints through the objective's
 * getState/setState under `name`, bit for bit.
 */
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';

export interface PerExampleState {
  readonly name: string;
  readonly rows: number;
  readonly width: number;
  /** The rows `index` (int32 [b]) as a [b, width] tensor. */
  read(index: tf.Tensor1D): tf.Tensor2D;
  /** Sets rows `index` (distinct ids) to `values` ([b, width]). */
  write(index: tf.Tensor1D, values: tf.Tensor): void;
  /** A clone of the whole table under `name` (the caller disposes it). */
  getState(): tf.NamedTensorMap;
  /** Restores the table from a map holding `name` with shape [rows, width]. */
  setState(state: tf.NamedTensorMap): void;
  dispose(): void;
}

/**
 * A table of `rows` × `width` filled with `init`. `rows` is the train split's size
 * (LossDeps.sizes.train); a loss built without it (rows 0) fails here with a message naming it.
 */
export function perExampleState(name: string, rows: number, width: number, init = 0): PerExampleState {
  if (!Number.isInteger(rows) || rows < 1) {
    throw new RunnerError('USAGE', `${name}: per-example state needs the number of training examples (got ${rows}); createLoss takes it as the option rows`);
  }
  const initial = tf.fill([rows, width], init, 'float32');
  const table = tf.variable(initial, false);
  initial.dispose(); // the variable holds its own reference to the data
  return {
    name,
    rows,
    width,
    read: (index) => tf.gather(table, index) as tf.Tensor2D,
    write(index, values) {
      tf.tidy(() => {
        const update = tf.reshape(values, [index.shape[0], width]);
        table.assign(tf.tensorScatterUpdate(table, tf.reshape(index, [index.shape[0], 1]), update));
      });
    },
    getState: () => ({ [name]: tf.clone(table) }),
    setState(state) {
      const t = state[name];
      if (!t) throw new RunnerError('CHECKPOINT_INVALID', `checkpoint lacks the per-example state "${name}"`);
      if (t.shape.length !== 2 || t.shape[0] !== rows || t.shape[1] !== width) {
        throw new RunnerError('CHECKPOINT_INVALID', `per-example state "${name}" has shape [${t.shape.join(', ')}], expected [${rows}, ${width}]`);
      }
      table.assign(t);
    },
    dispose: () => table.dispose(),
  };
}
