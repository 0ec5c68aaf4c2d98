import { tf } from '../support/tf.js';
import { test } from 'node:test';
import { createOptimizer } from '../../src/optim/index.js';
import { closureOf, disposeParams, flat, makeParams, runSteps } from './helpers.js';

test('smoke', () => {
  const params = makeParams([{ value: [1] }]);
  const opt = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.5 }, params);
  const before = tf.memory().numTensors;
  const r = runSteps(opt, closureOf(params, (xs) => tf.mul(0.5, tf.sum(tf.square(xs[0]!))) as tf.Scalar), 2);
  console.log(r, flat(params), tf.memory().numTensors - before, opt.getState());
  opt.dispose(); disposeParams(params);
});
