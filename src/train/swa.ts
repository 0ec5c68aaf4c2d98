/**
 * Stochastic weight averaging (`train.swa`), after timgaripov/swa `train.py` and `utils.py`:
 *   - after epoch e (1-based count of epochs done) with e ≥ swa_start and (e − swa_start) % c = 0:
 *       moving_average(swa_model, model, α = 1/(swa_n + 1)):  p_swa ← p_swa·(1 − α) + p·α;  swa_n += 1
 *     over every trainable parameter (model and loss-owned);
 *   - before evaluating: utils.bn_update: BatchNorm running mean/var reset to 0/1, then one
 *     training-mode pass per train batch with momentum b/(n + b) (a cumulative average of the
 *     batches' statistics), at the averaged weights. minima passes the train split in order, in
 *     batches of train.batch_size, without augmentation (the official loader shuffles and augments);
 *     the live buffers are untouched;
 *   - the learning rate is the `swa` schedule (src/optim/schedules.ts), configured separately.
 * The averaging happens at epoch ends only, so a run needs an epoch to be a whole number of steps
 * (it always is: steps per epoch = ceil(n/batch_size)). State: the averages and swa_n.
 */
import * as tf from '../backends/tf.js';
import type { TrainConfig } from '../config/schema.js';
import type { Experiment } from './build.js';
import { batchNormStatisticsAt } from './bn-refresh.js';
import type { ParameterSet } from './parameter-sets.js';

export type SwaOptions = NonNullable<TrainConfig['swa']>;

/** Whether the end of epoch `epochsDone` (1-based) adds the weights to the average. */
export function swaDue(o: Pick<SwaOptions, 'start' | 'every'>, epochsDone: number): boolean {
  return epochsDone >= o.start && (epochsDone - o.start) % o.every === 0;
}

export function createSwa(o: SwaOptions, exp: Pick<Experiment, 'params' | 'model' | 'dataset' | 'stepsPerEpoch' | 'config'>): ParameterSet {
  const { params, model } = exp;
  let avg: tf.Tensor[] = params.map((p) => tf.keep(tf.clone(p.variable)));
  let n = tf.keep(tf.scalar(0));
  let count = 0; // swa_n read once per average (the state holds it as a float32 scalar for checkpoints)
  const replaceAll = (next: tf.Tensor[], nextN: tf.Scalar): void => {
    next.forEach((t) => tf.keep(t));
    tf.keep(nextN);
    tf.dispose([...avg, n]);
    avg = next;
    n = nextN;
    count = nextN.dataSync()[0]!;
  };

  return {
    name: 'swa',
    update(done) {
      if (done % exp.stepsPerEpoch !== 0 || !swaDue(o, done / exp.stepsPerEpoch)) return;
      const alpha = 1 / (count + 1);
      const next = tf.tidy(() => avg.map((a, i) => tf.add(tf.mul(a, 1 - alpha), tf.mul(params[i]!.variable, alpha))));
      replaceAll(next, tf.scalar(count + 1));
    },
    ready: () => count > 0,
    values: () => avg.map((a) => tf.clone(a)),
    buffers: () => (o.bn_refresh && model.buffers.length > 0 ? batchNormStatisticsAt(exp, avg) : undefined),
    getState: () => ({ ...Object.fromEntries(params.map((p, i) => [`${p.owner}/${p.name}`, tf.clone(avg[i]!)])), n: tf.clone(n) }),
    setState(map) {
      const take = (key: string, like: tf.Tensor): tf.Tensor => {
        const t = map[key];
        if (!t) throw new Error(`checkpoint lacks tensor paramset/swa/${key}`);
        if (t.shape.join(',') !== like.shape.join(',')) throw new Error(`checkpoint tensor paramset/swa/${key} has shape [${t.shape}], expected [${like.shape}]`);
        return tf.clone(t);
      };
      replaceAll(params.map((p, i) => take(`${p.owner}/${p.name}`, avg[i]!)), take('n', n) as tf.Scalar);
    },
    dispose() {
      tf.dispose([...avg, n]);
    },
  };
}
