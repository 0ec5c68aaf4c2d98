import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose } from '../support/tf.js';
import { adaptiveEce, createClassificationAccumulator, createRegressionAccumulator } from '../../src/metrics/index.js';

/*
 * Four examples, K = 3 (confidences chosen away from the 1/15 bin edges even in float32):
 *   ex0 p = [0.72, 0.18, 0.10] y = 0 → predicts 0, correct, conf 0.72 (bin ⌈10.8⌉ − 1 = 10)
 *   ex1 p = [0.29, 0.61, 0.10] y = 0 → predicts 1, wrong,   conf 0.61 (bin 9)
 *   ex2 p = [0.20, 0.28, 0.52] y = 2 → predicts 2, correct, conf 0.52 (bin 7)
 *   ex3 p = [0.07, 0.10, 0.83] y = 1 → predicts 2, wrong,   conf 0.83 (bin 12)
 */
const probs = Float32Array.from([0.72, 0.18, 0.1, 0.29, 0.61, 0.1, 0.2, 0.28, 0.52, 0.07, 0.1, 0.83]);
const labels = Int32Array.from([0, 0, 2, 1]);

describe('classification accumulator', () => {
  it('matches hand-computed metrics', () => {
    const acc = createClassificationAccumulator(3);
    acc.add(probs, labels, Float32Array.from([0.5, 0, 0, 1]));
    const r = acc.result();
    assert.equal(r.accuracy, 0.5);
    // nll = −(ln 0.72 + ln 0.29 + ln 0.52 + ln 0.10)/4 = (0.328504 + 1.237874 + 0.653926 + 2.302585)/4
    assertClose([r.nll!], [1.1307224], 1e-5);
    // brier = (0.1208 + 0.8862 + 0.3488 + 1.5038)/4
    assertClose([r.brier!], [0.7149], 1e-5);
    // every example alone in its bin: (|1 − .72| + |0 − .61| + |1 − .52| + |0 − .83|)/4 = 2.2/4
    assertClose([r.ece!], [0.55], 1e-5);
    assertClose([r.adaptive_ece!], [0.55], 1e-5);
    // F1: class 0 2·1/(2 + 0 + 1) = 2/3, class 1 0, class 2 2·1/(2 + 1 + 0) = 2/3 → 4/9
    assertClose([r.macro_f1!], [4 / 9], 1e-9);
    assert.equal(r.class_acc_0, 0.5);
    assert.equal(r.class_acc_1, 0);
    assert.equal(r.class_acc_2, 1);
    assert.equal(r.loss, 0.375);
    assert.equal(r.zero_loss_fraction, 0.5);
    assert.equal(r.top_5, undefined, 'no top-5 for K ≤ 5');
  });

  it('is the same when fed in two batches', () => {
    const one = createClassificationAccumulator(3);
    one.add(probs, labels);
    const two = createClassificationAccumulator(3);
    two.add(probs.subarray(0, 6), labels.subarray(0, 2));
    two.add(probs.subarray(6), labels.subarray(2));
    assert.deepEqual(two.result(), one.result());
  });

  it('top-k counts classes with strictly larger probability', () => {
    // y = 0 in ex3 (p_y = 0.07 has two larger) fails top-2; ex1 (p_y = 0.29, one larger) passes
    const acc = createClassificationAccumulator(3, { topK: [2] });
    acc.add(probs, Int32Array.from([0, 0, 2, 0]));
    assert.equal(acc.result().top_2, 0.75);
  });

  it('adaptive ECE uses equal-mass bins', () => {
    // sorted conf .52(hit) .61(miss) | .72(hit) .83(miss): ½|.5 − .565| + ½|.5 − .775| = 0.17
    assertClose([adaptiveEce([0.72, 0.61, 0.52, 0.83], [1, 0, 1, 0], 2)], [0.17], 1e-12);
  });

  it('floors p_y = 0 in the NLL and rejects bad input', () => {
    const acc = createClassificationAccumulator(2);
    acc.add(Float32Array.from([1, 0]), Int32Array.from([1]));
    assertClose([acc.result().nll!], [-Math.log(1e-12)], 1e-12);
    assert.throws(() => acc.add(Float32Array.from([1, 0, 0]), Int32Array.from([0])), RangeError);
    assert.throws(() => acc.add(Float32Array.from([1, 0]), Int32Array.from([2])), RangeError);
  });
});

describe('regression accumulator', () => {
  it('matches hand-computed metrics', () => {
    // e = y − ŷ: [0, −1], [0, 1], [−1, 0] → mse = 3/6, mae = 3/6
    // r2 dim 0: y = [1, 3, 4], SST = 14/3, SSE = 1 → 1 − 3/14; dim 1: y = [1, 5, 6], SST = 14, SSE = 2 → 1 − 1/7
    const acc = createRegressionAccumulator(2);
    acc.add(Float32Array.from([1, 2, 3, 4]), Float32Array.from([1, 1, 3, 5]));
    acc.add(Float32Array.from([5, 6]), Float32Array.from([4, 6]));
    const r = acc.result();
    assertClose([r.mse!, r.mae!, r.rmse!, r.r2!], [0.5, 0.5, Math.sqrt(0.5), (1 - 3 / 14 + 1 - 1 / 7) / 2], 1e-12);
  });
});
