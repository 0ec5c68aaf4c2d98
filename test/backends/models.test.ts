/**
 * Every registry model on every CPU-side backend variant: loss and gradients agree with the cpu
 * oracle (rtol 1e-4), and every registry optimizer trains it (two steps, finite losses, parameters
 * move, the first loss equal to cpu's). The default suite runs the models of at most 1M parameters
 * (at their default options) with one optimizer on wasm + BLAS; MINIMA_TEST_BACKENDS=full
 * (`npm run test:backends`) runs every model × every optimizer on wasm + BLAS and wasm without
 * BLAS, and on cpu the models of at most 1M parameters (a wide ResNet takes minutes a step there).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../support/tf.js';
import { initBackend, installWasmKernelPack, loadBlas } from '../../src/backends/index.js';
import { modelRegistry, buildModel, describeModel } from '../../src/models/index.js';
import { optimizerRegistry, createOptimizer } from '../../src/optim/index.js';
import { wholeModelOptimizers } from '../support/optimizers.js';
import type { DataSpec, Model } from '../../src/core/types.js';
import { Rng } from '../../src/core/random.js';
import { assertAgree } from './compare.js';

const full = process.env['MINIMA_TEST_BACKENDS'] === 'full';
await initBackend('wasm');
const blasFound = loadBlas('auto').blas !== undefined;

/** Small problems of each input kind; a model is tested on the first one it supports. */
const dataSpecs: readonly DataSpec[] = [
  { task: 'classification', inputShape: [10, 10, 1], inputKind: 'dense', numClasses: 5, outputDim: 5 },
  { task: 'classification', inputShape: [24], inputKind: 'dense', numClasses: 5, outputDim: 5 },
  { task: 'classification', inputShape: [2], inputKind: 'tokens', vocabSize: 13, numClasses: 13, outputDim: 13 },
];
const BATCH = 4;
/** Above this many parameters a model is only in the full matrix, and never trained on cpu. */
const SMALL_MODEL = 1_000_000;

function dataFor(name: string): DataSpec {
  const entry = modelRegistry.get(name) as unknown as { supports(o: unknown, d: DataSpec): string | null; schema: { parse(x: unknown): unknown } };
  const options = entry.schema.parse({});
  const spec = dataSpecs.find((d) => entry.supports(options, d) === null);
  if (!spec) throw new Error(`model ${name} supports none of the test data specs`);
  return spec;
}

function batch(data: DataSpec): { x: tf.Tensor; y: tf.Tensor1D } {
  const rng = Rng.derive(3, 'backend-models', data.inputShape.join('x'));
  const size = BATCH * data.inputShape.reduce((a, b) => a * b, 1);
  const x = data.inputKind === 'tokens'
    ? tf.tensor(Int32Array.from({ length: size }, () => rng.int(data.vocabSize!)), [BATCH, ...data.inputShape], 'int32')
    : tf.tensor(rng.fillNormal(new Float32Array(size)), [BATCH, ...data.inputShape]);
  return { x, y: tf.tensor1d(Int32Array.from({ length: BATCH }, () => rng.int(data.numClasses)), 'int32') };
}

/** Mean softmax cross-entropy of the model's logits, written out so no other registry is involved. */
function lossOf(model: Model, x: tf.Tensor, y: tf.Tensor1D, numClasses: number): tf.Scalar {
  const out = model.apply(x, { training: true, dropoutSeed: 1 });
  if (out.updates) tf.dispose(out.updates.map(([, t]) => t));
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y, numClasses), tf.logSoftmax(out.output)), -1))) as tf.Scalar;
}

/** Default options; wrappers (SAM, GAM, ⊥Grad …) get adam as the base in each nested slot. */
function optimizerSpec(name: string): { name: string; [slot: string]: unknown } {
  const slots = Object.keys(optimizerRegistry.get(name).nested ?? {});
  return { name, ...Object.fromEntries(slots.map((slot) => [slot, { name: 'adam' }])) };
}

interface Trace { readonly loss0: number; readonly grads: Float32Array[]; readonly losses: number[]; readonly moved: boolean }

/** Loss and gradients at init, then `steps` steps of `optimizer` (if given) on one fixed batch. */
async function trace(backend: string, modelName: string, optimizer: string | undefined, steps = 2): Promise<Trace> {
  await tf.setBackend(backend);
  const data = dataFor(modelName);
  const model = buildModel({ name: modelName }, { data, seed: 0, head: 'logits' });
  const { x, y } = batch(data);
  const vars = model.params.map((p) => p.variable);
  const closure = () => {
    const { value, grads } = tf.variableGrads(() => lossOf(model, x, y, data.numClasses), vars);
    return { loss: value, grads: vars.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
  };
  try {
    const first = closure();
    const loss0 = (await first.loss.data())[0]!;
    const grads = await Promise.all(first.grads.map(async (g) => Float32Array.from(await g.data())));
    tf.dispose([first.loss, ...first.grads]);
    const losses: number[] = [];
    let moved = false;
    if (optimizer) {
      const before = await Promise.all(vars.map(async (v) => Float32Array.from(await v.data())));
      const opt = createOptimizer(optimizerSpec(optimizer), model.params);
      try {
        for (let s = 0; s < steps; s++) {
          const loss = tf.tidy(() => tf.keep(opt.step(closure).loss));
          losses.push((await loss.data())[0]!);
          loss.dispose();
        }
      } finally {
        opt.dispose();
      }
      const after = await Promise.all(vars.map((v) => v.data()));
      moved = after.some((a, i) => a.some((v, j) => v !== before[i]![j]));
    }
    return { loss0, grads, losses, moved };
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
}

const variants = [
  { label: blasFound ? 'wasm + BLAS' : 'wasm (auto: no BLAS here)', backend: 'wasm', blas: 'auto' as const, always: true },
  { label: 'wasm without BLAS', backend: 'wasm', blas: 'off' as const, always: false },
  { label: 'cpu (the oracle itself)', backend: 'cpu', always: false },
].filter((v) => full || v.always);
const optimizers = full ? wholeModelOptimizers() : ['adam'];
const paramCount = new Map(modelRegistry.names().map((name) => [name, describeModel({ name }, dataFor(name)).paramCount]));
const isSmall = (name: string): boolean => paramCount.get(name)! <= SMALL_MODEL;

/** cpu's loss and gradients at init, computed once per model. */
const oracle = new Map<string, Promise<Trace>>();
const cpuTrace = (name: string): Promise<Trace> => {
  if (!oracle.has(name)) oracle.set(name, trace('cpu', name, undefined));
  return oracle.get(name)!;
};

for (const variant of variants) {
  describe(`${variant.label}: every model agrees with cpu and trains with ${full ? "every fused optimizer and four composites" : 'adam (full matrix: npm run test:backends)'}`, () => {
    before(async () => {
      await tf.setBackend(variant.backend);
      if (variant.blas) installWasmKernelPack({ blas: variant.blas });
    });
    for (const modelName of modelRegistry.names()) {
      if (!isSmall(modelName) && !(full && variant.backend !== 'cpu')) continue;
      if (variant.backend !== 'cpu') it(`${modelName}: loss and gradients at init match cpu (rtol 1e-4)`, async () => {
        const want = await cpuTrace(modelName);
        const got = await trace('wasm', modelName, undefined);
        assertAgree([got.loss0], [want.loss0], `${modelName} loss`);
        want.grads.forEach((g, i) => assertAgree(got.grads[i]!, g, `${modelName} grad ${i}`));
      });
      for (const optimizer of optimizers) {
        it(`${modelName} × ${optimizer}: trains (finite, parameters move, first loss = cpu's)`, async () => {
          const got = await trace(variant.backend, modelName, optimizer);
          const want = await cpuTrace(modelName);
          assert.ok(got.losses.every(Number.isFinite), `losses ${got.losses}`);
          assert.ok(got.moved, 'parameters did not change');
          assertAgree([got.losses[0]!], [want.loss0], `${modelName} × ${optimizer} first loss`);
        });
      }
    }
  });
}
