/**
 * Contract tests over every loss entry: shape, finiteness of values and gradients at extreme
 * inputs (logits ±1e4, saturated probabilities, zero / proxy-aligned embeddings, exact-zero
 * residuals), no tensor leaks, gradients against finite differences, loss-owned variables.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tf, assertNoLeak, finiteDifference, assertClose } from '../support/tf.js';
import { lossRegistry, createObjective } from '../../src/losses/index.js';
import type { LossEntry } from '../../src/losses/index.js';
import type { DataSpec, LossContext, LossDeps, LossInput, Objective } from '../../src/core/types.js';
import { effectiveNeeds } from '../../src/losses/needs.js';

const K = 5;
const D = 4;
const B = 6;
/** The batch's example ids (losses with per-example state key by them); kept for the whole file. */
const ROWS = tf.keep(tf.tensor1d([1, 3, 5, 7, 9, 11], 'int32'));
/**
 * The batch's group ids (losses that declare needs.groups read them with DataSpec.numGroups):
 * G groups, the last one absent from the batch.
 */
const G = 4;
const GROUPS = tf.keep(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'));
const labels = [0, 1, 2, 3, 4, 0];

function optionsOf(entry: LossEntry): Record<string, unknown> {
  // a wrapper's base: is a nested slot outside its schema, so it always takes its example
  if (entry.schema.safeParse({}).success && entry.needs.wraps !== 'base') return {};
  const ex = entry.info?.example;
  assert.ok(typeof ex === 'string', `${entry.name} has required options (or a base:) but no info.example`);
  return JSON.parse(ex) as Record<string, unknown>;
}

/** The entry's needs as its test spec declares them (a wrapper's are its example base's). */
function needsOf(entry: LossEntry) {
  return effectiveNeeds(lossRegistry, { name: entry.name, ...optionsOf(entry) }) ?? entry.needs;
}

/** A binary-head loss (needs.head 'binary') reads one logit of a 2-class problem. */
function isBinary(entry: LossEntry): boolean {
  return needsOf(entry).head === 'binary';
}

function tasksOf(entry: LossEntry): ('classification' | 'regression')[] {
  const t = needsOf(entry).task;
  if (t === 'regression') return ['regression'];
  if (t === 'any') return ['classification', 'regression'];
  return ['classification'];
}

function dataSpec(task: 'classification' | 'regression', k = K): DataSpec {
  return task === 'classification'
    ? // long-tail losses read the train class counts (vs, ldam, logit-adjusted …): a skewed set
      { task, inputShape: [3], inputKind: 'dense', numClasses: k, outputDim: k, numGroups: G, groupCounts: [5, 4, 2, 1], classCounts: Array.from({ length: k }, (_, i) => 40 >> i) }
    : { task, inputShape: [3], inputKind: 'dense', numClasses: 0, outputDim: 3, numGroups: G, groupCounts: [5, 4, 2, 1] };
}

function ctxOf(data: DataSpec, step = 3): LossContext {
  return { step, epoch: 0, training: true, data, seed: 1234 + step };
}

function build(entry: LossEntry, task: 'classification' | 'regression'): { obj: Objective; data: DataSpec } {
  const data = dataSpec(task, isBinary(entry) ? 2 : K);
  const deps: LossDeps = { data, sizes: { train: 2 * B, test: B }, seed: 7, embeddingDim: D };
  return { obj: createObjective({ name: entry.name, ...optionsOf(entry) }, deps), data };
}

function rows(values: number[][]): tf.Tensor2D {
  return tf.tensor2d(values);
}

/** Inputs that stress float32 for the given objective. */
function extremeCases(obj: Objective, task: 'classification' | 'regression', binary = false): { label: string; output: number[][]; embedding: number[][]; y: number[] | number[][] }[] {
  if (binary) {
    // one logit f per example, labels 0/1 (margins y·f)
    const ys = labels.map((l) => l % 2);
    const one = (f: (i: number) => number) => Array.from({ length: B }, (_, i) => [f(i)]);
    const wob = Array.from({ length: B }, (_, i) => Array.from({ length: D }, (_, d) => Math.sin(1 + i * 3 + d)));
    const sign = (i: number) => (ys[i] === 1 ? 1 : -1);
    return [
      { label: 'moderate logit', output: one((i) => Math.sin(i * 5) * 2), embedding: wob, y: ys },
      { label: 'saturated right (margin +1e4)', output: one((i) => sign(i) * 1e4), embedding: wob, y: ys },
      { label: 'saturated wrong (margin −1e4)', output: one((i) => -sign(i) * 1e4), embedding: wob, y: ys },
      { label: 'zero logit', output: one(() => 0), embedding: wob, y: ys },
    ];
  }
  const emb = (f: (i: number, d: number) => number) => Array.from({ length: B }, (_, i) => Array.from({ length: D }, (_, d) => f(i, d)));
  const log = (f: (i: number, k: number) => number) => Array.from({ length: B }, (_, i) => Array.from({ length: K }, (_, k) => f(i, k)));
  const wobble = emb((i, d) => Math.sin(1 + i * 3 + d));
  if (task === 'regression') {
    // a gaussian head emits [mean | log-variance]: twice the target width
    const width = obj.predictions ? 6 : 3;
    const out = (f: (i: number, d: number) => number) => Array.from({ length: B }, (_, i) => Array.from({ length: width }, (_, d) => f(i, d)));
    const y = Array.from({ length: B }, (_, i) => Array.from({ length: 3 }, (_, d) => Math.cos(i + d)));
    return [
      { label: 'moderate', output: out((i, d) => Math.sin(i * 2 + d)), embedding: wobble, y },
      { label: '±1e4 residuals', output: out((i, d) => ((i + d) % 2 ? 1e4 : -1e4)), embedding: wobble, y },
      { label: 'zero residuals', output: width === 3 ? y : y.map((row) => [...row, ...row.map(() => 0)]), embedding: wobble, y },
    ];
  }
  const cases: { label: string; output: number[][]; embedding: number[][]; y: number[] }[] = [];
  if (obj.needs.input === 'embeddings') {
    cases.push(
      { label: 'moderate embeddings', output: wobble, embedding: wobble, y: labels },
      { label: '±1e4 embeddings', output: emb((i, d) => ((i + d) % 2 ? 1e4 : -1e4)), embedding: emb((i, d) => ((i + d) % 2 ? 1e4 : -1e4)), y: labels },
      { label: 'zero embeddings', output: emb(() => 0), embedding: emb(() => 0), y: labels },
    );
    // a pair-based loss (multi-similarity) owns no proxies to align with
    // (GE2E owns scalars w, b, not class proxies [D, K])
    if (obj.variables.length === 0 || obj.variables[0]!.variable.rank !== 2) return cases;
    const w = obj.variables[0]!.variable.arraySync() as number[][]; // [D, K]
    const aligned = emb((i, d) => 3 * w[d]![labels[i]!]!);
    const opposite = emb((i, d) => -3 * w[d]![labels[i]!]!);
    cases.push({ label: 'embedding = proxy (cos 1)', output: aligned, embedding: aligned, y: labels });
    cases.push({ label: 'embedding = −proxy (cos −1)', output: opposite, embedding: opposite, y: labels });
    return cases;
  }
  cases.push(
    { label: 'moderate logits', output: log((i, k) => Math.sin(i * 5 + k * 2) * 2), embedding: wobble, y: labels },
    { label: 'saturated p_y = 1 (target +1e4, rest −1e4)', output: log((i, k) => (k === labels[i] ? 1e4 : -1e4)), embedding: wobble, y: labels },
    { label: 'saturated p_y = 0 (target −1e4, rest +1e4)', output: log((i, k) => (k === labels[i] ? -1e4 : 1e4)), embedding: wobble, y: labels },
    { label: 'alternating ±1e4', output: log((i, k) => ((i + k) % 2 ? 1e4 : -1e4)), embedding: wobble, y: labels },
    { label: 'all logits equal', output: log(() => 0), embedding: emb(() => 0), y: labels },
    { label: 'target logit largest by 30', output: log((i, k) => (k === labels[i] ? 30 : 0)), embedding: wobble, y: labels },
  );
  return cases;
}

function assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) assert.ok(Number.isFinite(values[i]!), `${what}[${i}] = ${values[i]}`);
}

function yTensor(task: string, y: number[] | number[][]): tf.Tensor {
  return task === 'classification' ? tf.tensor1d(y as number[], 'int32') : tf.tensor2d(y as number[][]);
}

describe('loss registry contract', () => {
  it('has the entries the issue names', () => {
    for (const n of [
      'cross-entropy', 'focal', 'poly', 'dual-focal', 'comp-sum', 'gce', 'mae', 'nce', 'rce', 'apl', 'ldr-kl', 'sparsemax',
      'spherical-z', 'stablemax-ce', 'harmonic', 'hinge', 'squared-hinge', 'anyloss', 'mse', 'huber', 'pseudo-huber',
      'log-cosh', 'quantile', 'arcface', 'cosface', 'elasticface', 'sface', 'orthogonal-projection', 'z-loss',
    ]) assert.ok(lossRegistry.has(n), n);
  });

  for (const entry of lossRegistry.entries) {
    const binary = isBinary(entry);
    const kOut = binary ? 2 : K;
    for (const task of tasksOf(entry)) {
      describe(`${entry.name} (${task})`, () => {
        it('summary, strict schema with described defaults, nested extra slot', () => {
          assert.ok(entry.summary.length > 20 && !entry.summary.includes('\n'));
          assert.deepEqual(entry.nested?.extra, { kind: 'loss', list: true, optional: true });
          if (entry.needs.wraps === 'base') assert.deepEqual(entry.nested?.base, { kind: 'loss' }, 'a wrapper nests its base: loss');
          const bad = entry.schema.safeParse({ ...optionsOf(entry), no_such_option: 1 });
          assert.equal(bad.success, false, 'schema must be strict');
          const shape = (entry.schema as unknown as { shape: Record<string, { description?: string }> }).shape;
          for (const [k, v] of Object.entries(shape)) assert.ok(v.description, `${entry.name}.${k} lacks .describe()`);
        });

        it('the entry declares the needs its objective has', () => {
          const { obj } = build(entry, task);
          try {
            const needs = needsOf(entry);
            assert.ok(needs.task === 'any' || needs.task === obj.needs.task, `${entry.name} needs.task`);
            // a reader of LossInput.embedding still sits on a logits model
            assert.equal(needs.input === 'logits+embedding' ? 'logits' : needs.input, obj.needs.input, `${entry.name} needs.input`);
            assert.equal(needs.reduction ?? 'per-example', obj.needs.reduction, `${entry.name} needs.reduction`);
          } finally {
            obj.dispose();
          }
        });

        it('a loss that declares needs.groups refuses data without groups, by name', () => {
          if (!entry.needs.groups) return;
          const { numGroups: _g, groupCounts: _c, ...plain } = dataSpec(task);
          const deps: LossDeps = { data: plain, sizes: { train: 2 * B, test: B }, seed: 7, embeddingDim: D };
          assert.throws(() => createObjective({ name: entry.name, ...optionsOf(entry) }, deps), (err: Error) => err.message.includes(entry.name) && /group/.test(err.message));
        });

        it('finite values of the declared shape and finite gradients at extreme inputs, without leaks', async () => {
          const { obj, data } = build(entry, task);
          try {
            for (const c of extremeCases(obj, task, binary)) {
              const out = tf.variable(rows(c.output), true);
              const emb = tf.variable(rows(c.embedding), true);
              const y = yTensor(task, c.y);
              await assertNoLeak(() => {
                const input: LossInput = { output: out, embedding: emb, y, index: ROWS, group: GROUPS };
                const value = obj.compute(input, ctxOf(data));
                if (obj.needs.reduction === 'batch') assert.equal(value.rank, 0, 'batch-level loss returns a scalar');
                else assert.deepEqual(value.shape, [B]);
                assertFinite(value.dataSync(), `${c.label}: value`);
                value.dispose();
                const { value: total, grads } = tf.variableGrads(() => tf.sum(obj.compute(input, ctxOf(data))) as tf.Scalar, [
                  out, emb, ...obj.variables.map((p) => p.variable),
                ]);
                assertFinite(total.dataSync(), `${c.label}: total`);
                for (const [name, g] of Object.entries(grads)) assertFinite(g.dataSync(), `${c.label}: grad ${name}`);
                total.dispose();
                tf.dispose(grads);
                if (obj.probabilities) {
                  const p = obj.probabilities(input, ctxOf(data));
                  assert.deepEqual(p.shape, [B, kOut]);
                  const pv = p.dataSync();
                  assertFinite(pv, `${c.label}: probabilities`);
                  for (let i = 0; i < B; i++) {
                    let s = 0;
                    for (let k = 0; k < kOut; k++) s += pv[i * kOut + k]!;
                    assert.ok(Math.abs(s - 1) < 1e-4, `${c.label}: probabilities row ${i} sums to ${s}`);
                  }
                  p.dispose();
                }
              }, `${entry.name} ${c.label}`);
              out.dispose(); emb.dispose(); y.dispose();
            }
          } finally {
            obj.dispose();
          }
        });

        it('gradient matches central finite differences at moderate inputs', () => {
          if (entry.info?.gradient) return; // surrogate gradient by design (documented in info.gradient)
          const { obj, data } = build(entry, task);
          try {
            const c = extremeCases(obj, task, binary)[0]!;
            // differentiate w.r.t. what the loss reads: logits/outputs, or the embedding
            const takesEmbeddings = obj.needs.input === 'embeddings';
            const viaEmbedding = takesEmbeddings || entry.needs.input === 'logits+embedding';
            const xRows = viaEmbedding ? c.embedding : c.output;
            const shape: [number, number] = [B, xRows[0]!.length];
            const y = yTensor(task, c.y);
            const outFixed = rows(c.output);
            const embFixed = rows(c.embedding);
            const ctx = ctxOf(data);
            const inputOf = (x: tf.Tensor): LossInput =>
              viaEmbedding ? { output: takesEmbeddings ? x : outFixed, embedding: x, y, index: ROWS, group: GROUPS } : { output: x, embedding: embFixed, y, index: ROWS, group: GROUPS };
            const f = (flat: Float32Array) => tf.tidy(() => tf.sum(obj.compute(inputOf(tf.tensor2d(flat, shape)), ctx)).dataSync()[0]!);
            const x0 = Float32Array.from(xRows.flat());
            const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(obj.compute(inputOf(x), ctx)))(tf.tensor2d(x0, shape)).dataSync());
            const h = 3e-3;
            const fd = finiteDifference(f, x0, h);
            // atol: float32 rounding of the summed loss F (≈1e-7·|F|) divided by the 2h step, plus 2e-3
            assertClose(g, fd, 2e-2, 2e-3 + (1e-7 * Math.abs(f(x0))) / h, `${entry.name} gradient`);
            tf.dispose([y, outFixed, embFixed]);
          } finally {
            obj.dispose();
          }
        });

        it('loss-owned variables are trainable, owned by the loss, and round-trip through getState/setState', () => {
          const { obj } = build(entry, task);
          try {
            for (const p of obj.variables) {
              assert.equal(p.owner, 'loss');
              assert.equal(p.variable.trainable, true);
              assert.match(p.name, /^loss\//);
            }
            if (obj.variables.length === 0) return;
            const state = obj.getState!();
            const before = obj.variables.map((p) => Array.from(p.variable.dataSync()));
            for (const p of obj.variables) p.variable.assign(tf.mul(p.variable, 3));
            obj.setState!(state);
            obj.variables.forEach((p, i) => assert.deepEqual(Array.from(p.variable.dataSync()), before[i]));
            tf.dispose(state);
          } finally {
            obj.dispose();
          }
        });
      });
    }
  }
});
