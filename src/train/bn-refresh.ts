/**
 * BatchNorm statistics recomputed at other weights (timgaripov/swa `utils.bn_update`; the
 * schedule-free README's refresh at x): running mean/var reset to 0/1, then one training-mode pass
 * per train batch with momentum b/(n + b), a cumulative average of the batches' statistics. The
 * train split is passed in order, in batches of train.batch_size, without augmentation. Returns
 * the refreshed buffers; the live parameters and buffers are restored (by reference) after.
 */
import * as tf from '../backends/tf.js';
import type { Experiment } from './build.js';
import { batchTensors, rangeIndices } from './batches.js';

export function batchNormStatisticsAt(exp: Pick<Experiment, 'params' | 'model' | 'dataset' | 'config'>, values: readonly tf.Tensor[]): tf.Tensor[] {
  const { params, model, dataset } = exp;
  const vars = params.map((p) => p.variable);
  const bufs = model.buffers.map((b) => b.variable);
  const saved = [...vars, ...bufs].map((v) => tf.clone(v));
  try {
    vars.forEach((v, i) => v.assign(values[i]!));
    // reset_bn: running_mean ← 0, running_var ← 1 (minima's buffers are BN statistics only)
    for (const b of bufs) {
      const reset = /running_var$/.test(b.name.split('#')[0]!) ? tf.onesLike(b) : tf.zerosLike(b);
      b.assign(reset);
      reset.dispose();
    }
    const total = dataset.sizes.train;
    const size = exp.config.train.batch_size;
    let seen = 0;
    for (let start = 0; start < total; start += size) {
      const end = Math.min(total, start + size);
      const b = end - start;
      const arrays = dataset.gather('train', rangeIndices(start, end));
      const updates = tf.tidy(() => {
        const { x } = batchTensors(dataset, arrays, b);
        const out = model.apply(x, { training: true, bnMomentum: b / (seen + b) });
        return (out.updates ?? []).map(([v, t]) => [v, tf.keep(t)] as const);
      });
      for (const [v, t] of updates) {
        v.assign(t);
        t.dispose();
      }
      seen += b;
    }
    return bufs.map((b) => tf.clone(b));
  } finally {
    [...vars, ...bufs].forEach((v, i) => v.assign(saved[i]!));
    tf.dispose(saved);
  }
}
