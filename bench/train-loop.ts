/**
 * A bare training loop for the bench, written directly with tf ops and variables so that it
 * measures the backends rather than minima's trainer: softmax cross-entropy and Adam (PyTorch's
 * update, eps outside the square root), one tf.tidy per step.
 */
import * as tf from '../src/backends/tf.js';
import { Rng } from '../src/core/random.js';

export interface Net {
  readonly params: tf.Variable[];
  forward(x: tf.Tensor): tf.Tensor2D;
  readonly inputShape: readonly number[];
}

function heNormal(rng: Rng, shape: number[], fanIn: number, name: string): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.variable(tf.tensor(rng.fillNormal(new Float32Array(size), 0, Math.sqrt(2 / fanIn)), shape), true, name);
}

const zeros = (shape: number[], name: string): tf.Variable => tf.variable(tf.zeros(shape), true, name);

/** 784-256-10 with ReLU; `prefix` names its variables (several nets at once need distinct ones). */
export function mlp(seed: number, prefix = 'mlp'): Net {
  const rng = Rng.derive(seed, 'bench-mlp');
  const w1 = heNormal(rng, [784, 256], 784, `${prefix}/w1`), b1 = zeros([256], `${prefix}/b1`);
  const w2 = heNormal(rng, [256, 10], 256, `${prefix}/w2`), b2 = zeros([10], `${prefix}/b2`);
  return {
    params: [w1, b1, w2, b2],
    inputShape: [784],
    forward: (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x as tf.Tensor2D, w1), b1)) as tf.Tensor2D, w2), b2) as tf.Tensor2D,
  };
}

/** The Keras MNIST CNN shape: conv3×3(32)-relu-maxpool2, conv3×3(64)-relu-maxpool2, dense 128, dense 10. */
export function cnn(seed: number): Net {
  const rng = Rng.derive(seed, 'bench-cnn');
  const k1 = heNormal(rng, [3, 3, 1, 32], 9, 'cnn/k1'), c1 = zeros([32], 'cnn/c1');
  const k2 = heNormal(rng, [3, 3, 32, 64], 288, 'cnn/k2'), c2 = zeros([64], 'cnn/c2');
  const w3 = heNormal(rng, [3136, 128], 3136, 'cnn/w3'), b3 = zeros([128], 'cnn/b3');
  const w4 = heNormal(rng, [128, 10], 128, 'cnn/w4'), b4 = zeros([10], 'cnn/b4');
  const block = (x: tf.Tensor4D, k: tf.Variable, c: tf.Variable): tf.Tensor4D =>
    tf.maxPool(tf.relu(tf.add(tf.conv2d(x, k as tf.Tensor4D, 1, 'same'), c)) as tf.Tensor4D, 2, 2, 'valid');
  return {
    params: [k1, c1, k2, c2, w3, b3, w4, b4],
    inputShape: [28, 28, 1],
    forward: (x) => {
      const h = block(block(x as tf.Tensor4D, k1, c1), k2, c2);
      const d = tf.relu(tf.add(tf.matMul(tf.reshape(h, [-1, 3136]) as tf.Tensor2D, w3), b3)) as tf.Tensor2D;
      return tf.add(tf.matMul(d, w4), b4) as tf.Tensor2D;
    },
  };
}

/** Mean softmax cross-entropy of `net` on (x, one-hot labels): the loss every bench loop trains. */
export function crossEntropy(net: Net, x: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(net.forward(x))), 1))) as tf.Scalar;
}

/** An optimizer closure over `net`'s parameters for one batch. */
export function closureOf(net: Net, x: tf.Tensor, oneHot: tf.Tensor): () => { loss: tf.Scalar; grads: tf.Tensor[] } {
  return () => {
    const { value, grads } = tf.variableGrads(() => crossEntropy(net, x, oneHot), net.params);
    return { loss: value, grads: net.params.map((p) => grads[p.name]!) };
  };
}

export interface Trainer {
  /** One Adam step on (x, y); returns the loss before the step (caller disposes). */
  step(x: tf.Tensor, y: tf.Tensor1D): tf.Scalar;
  dispose(): void;
}

export function adam(net: Net, lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): Trainer {
  const m = net.params.map((p) => tf.variable(tf.zerosLike(p), false));
  const v = net.params.map((p) => tf.variable(tf.zerosLike(p), false));
  let t = 0;
  return {
    step(x, y) {
      t += 1;
      const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
      return tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => crossEntropy(net, x, tf.oneHot(y, 10)), net.params);
        net.params.forEach((p, i) => {
          const g = grads[p.name]!;
          const mi = tf.add(tf.mul(m[i]!, beta1), tf.mul(g, 1 - beta1));
          const vi = tf.add(tf.mul(v[i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
          m[i]!.assign(mi);
          v[i]!.assign(vi);
          p.assign(tf.sub(p, tf.div(tf.mul(mi, lr / c1), tf.add(tf.sqrt(tf.div(vi, c2)), eps))));
        });
        return tf.keep(value);
      });
    },
    dispose() {
      tf.dispose([...m, ...v, ...net.params]);
    },
  };
}

/** Samples/s of `net` trained with Adam on seeded uniform [0,1) inputs (throughput does not depend on the data). */
export async function trainingThroughput(make: (seed: number) => Net, batch: number, opts: { minSeconds: number; warmup: number; maxSteps: number }): Promise<number> {
  const net = make(0);
  const rng = Rng.derive(0, 'bench-data');
  const pool = Array.from({ length: 4 }, () => ({
    x: tf.tensor(rng.fillUniform(new Float32Array(batch * net.inputShape.reduce((a, b) => a * b, 1))), [batch, ...net.inputShape]),
    y: tf.tensor1d(Int32Array.from({ length: batch }, () => rng.int(10)), 'int32'),
  }));
  const trainer = adam(net);
  try {
    for (let i = 0; i < opts.warmup; i++) {
      const loss = trainer.step(pool[i % 4]!.x, pool[i % 4]!.y);
      await loss.data();
      loss.dispose();
    }
    let steps = 0;
    const start = performance.now();
    while (steps < opts.maxSteps && (steps === 0 || performance.now() - start < opts.minSeconds * 1000)) {
      const loss = trainer.step(pool[steps % 4]!.x, pool[steps % 4]!.y);
      await loss.data();
      loss.dispose();
      steps++;
    }
    return (steps * batch) / ((performance.now() - start) / 1000);
  } finally {
    trainer.dispose();
    for (const b of pool) tf.dispose([b.x, b.y]);
  }
}
