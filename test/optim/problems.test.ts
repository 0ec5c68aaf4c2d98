/** The analytic gradients of the test problems agree with central finite differences. */
import { tf } from '../support/tf.js';
import { test } from 'node:test';
import { assertClose, finiteDifference } from '../support/tf.js';
import { linear, parabola, rosenbrock, softmaxRegression, sumSquares, type Problem } from './helpers.js';

const cases: [string, Problem, number[][], number[][]][] = [
  ['parabola', parabola, [[1, -0.5, 0.25, 0.75], [0.5, -1]], [[2, 2], [2]]],
  ['sumSquares', sumSquares, [[1, 2, 3]], [[3]]],
  ['linear', linear([0.5, -2, 3]), [[1, 2], [3]], [[2], [1]]],
  ['rosenbrock', rosenbrock, [[-1.2, 1], [0.5]], [[2], [1]]],
  ['softmaxRegression', softmaxRegression, [[0.1, -0.2, 0.3, 0.05, -0.1, 0.2], [0.01, -0.02]], [[3, 2], [2]]],
];

for (const [name, problem, values, shapes] of cases) {
  test(`${name}: analytic gradient = finite differences`, () => {
    const sizes = values.map((v) => v.length);
    const split = (x: Float32Array): tf.Tensor[] => {
      let k = 0;
      return sizes.map((n, i) => {
        const t = tf.tensor(Array.from(x.slice(k, k + n)), shapes[i]!);
        k += n;
        return t;
      });
    };
    const x0 = Float32Array.from(values.flat());
    const f = (x: Float32Array): number => tf.tidy(() => problem.loss(split(x)).dataSync()[0]!);
    const fd = finiteDifference(f, x0, 1e-2);
    const analytic = tf.tidy(() => problem.grads(split(x0)).flatMap((g) => Array.from(g.dataSync())));
    assertClose(analytic, Array.from(fd), 2e-3, 2e-3, name);
  });
}
