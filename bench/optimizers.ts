/**
 * Optimizer cost and runner overhead, measured side by side in one process on one backend:
 * - time per training step of every registry optimizer (wrappers around sgd) relative to sgd, for
 *   the MNIST MLP (784-256-10, batch 64): all optimizers on the same batches, interleaved in rounds
 *   of 10 steps each (30 rounds, the order rotating), so a slow phase of a shared machine hits them alike; each one's fastest
 *   window is its estimate (other processes only ever add time);
 * - runner overhead: `minima run`'s loop (`run()` in-process, each step timed by the trainer)
 *   against the bare tfjs loop of bench/train-loop.ts doing the same steps (MLP, Adam, batch 64),
 *   the two in lockstep (one bare step after each minima step, both drawing shuffled batches); the
 *   estimate is the median over steps of the ratio of the paired step times.
 * Run alone: node --import tsx bench/optimizers.ts [--backend=wasm] [--rounds=30] [--batch=64]
 *   [--steps=200] [--repeats=3] [--only=adamw,sam] (sgd, the reference, always runs)
 *   [--no-fused] (composite ops only, for comparison) [--runner-only]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as tf from '../src/backends/tf.js';
import { run } from '../src/commands/run.js';
import { createOptimizer, optimizerRegistry } from '../src/optim/index.js';
import { setFusedKernels } from '../src/backends/kernels/kernel.js';
import { initBackend, type BackendName } from '../src/backends/index.js';
import { loadMnistDigits } from '../src/data/index.js';
import { closureOf, mlp } from './train-loop.js';
import { Rng } from '../src/core/random.js';
import type { StepResult } from '../src/optim/types.js';

export interface OptimizerBench {
  readonly backend: string;
  readonly steps: number;
  readonly batch: number;
  readonly ms_per_step: Record<string, number>;
  readonly ratio_to_sgd: Record<string, number>;
  readonly grad_evals: Record<string, number>;
  readonly runner: { readonly minima_samples_per_s: number; readonly bare_samples_per_s: number; readonly overhead: number; readonly steps: number };
}

/** Train rows of both loops (the bundled MNIST digits). */
const trainRows = 8000;

const quiet = { cwd: '', stdout: new PassThrough(), stderr: new PassThrough(), isTTY: false, signal: new AbortController().signal };

function config(dir: string, optimizer: object, steps: number, backend: string, batch: number): string {
  const path = join(dir, 'bench.yaml');
  writeFileSync(path, JSON.stringify({
    name: 'bench', seed: 0, backend,
    dataset: { name: 'mnist', train_size: trainRows, test_size: 100 },
    model: { name: 'mlp', hidden: [256] },
    loss: { name: 'cross-entropy' },
    optimizer,
    train: { steps, batch_size: batch, log_every: 20, eval_every: steps, eval_splits: ['test'], checkpoint_every: steps },
  }));
  return path;
}

/**
 * A hand-written tfjs training loop (bench/train-loop.ts' MLP, minima's Adam): one step per call.
 * Like any real loop (and minima) it draws shuffled batches: the train rows live in one tensor and
 * each step gathers its batch of a per-epoch permutation (through the same GatherV2 kernel).
 */
function bareLoop(batch: number, rows: number): { step(): Promise<number>; dispose(): void } {
  const { x, y } = loadMnistDigits();
  const xAll = tf.tensor2d(x.subarray(0, rows * 784), [rows, 784]);
  const yAll = tf.tensor1d(y.subarray(0, rows), 'int32');
  const net = mlp(0, 'bare');
  // The same optimizer as the minima run, so the comparison isolates the runner: batching, the
  // closure, BN/dropout plumbing, metric rows.
  const opt = createOptimizer({ name: 'adam', lr: 1e-3 }, net.params.map((v, i) => ({ name: `p${i}`, variable: v, role: i % 2 === 0 ? 'kernel' as const : 'bias' as const })));
  const perEpoch = Math.ceil(rows / batch);
  let s = 0;
  let order: Int32Array = new Int32Array(0);
  return {
    async step() {
      const t0 = performance.now();
      const b = s++ % perEpoch;
      if (b === 0) order = Rng.derive(0, 'bare-order', s).permutation(rows);
      const ids = tf.tensor1d(order.subarray(b * batch, Math.min(rows, (b + 1) * batch)), 'int32');
      const xs = tf.gather(xAll, ids), ys = tf.gather(yAll, ids);
      const loss = tf.tidy(() => opt.step(closureOf(net, xs, tf.oneHot(ys as tf.Tensor1D, 10))).loss);
      await loss.data();
      tf.dispose([ids, xs, ys, loss]);
      return performance.now() - t0;
    },
    dispose() {
      opt.dispose();
      tf.dispose([xAll, yAll, ...net.params]);
    },
  };
}

/**
 * `minima run` (in-process, MLP + Adam, batch 64) with the bare loop stepping in lockstep: after
 * each of minima's steps the bare loop takes one step, so both see the same phase of a shared
 * machine. Returns per-step times of both, warm-up dropped.
 */
async function lockstep(steps: number, backend: string, batch: number, warmup = 20): Promise<{ minima: number[]; bare: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'minima-bench-'));
  const bare = bareLoop(batch, trainRows);
  const minima: number[] = [], ref: number[] = [];
  try {
    // minima's time for a step is everything between the end of the previous bare step and this
    // hook (the whole loop body, not only the part the trainer times), so nothing per-step escapes
    let resumed = 0;
    const onStepEnd = async (step: number) => {
      const m = performance.now() - resumed;
      const b = await bare.step();
      if (step > warmup) { minima.push(m); ref.push(b); }
      resumed = performance.now();
    };
    const code = await run({ config: config(dir, { name: 'adam', lr: 1e-3 }, steps + warmup, backend, batch), runDir: join(dir, 'run'), quiet: true }, { ...quiet, cwd: dir, onStepEnd });
    if (code !== 0) throw new Error(`bench run failed (${code})`);
    return { minima, bare: ref };
  } finally {
    bare.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Time per step of each optimizer on the same MLP and batches, interleaved in one process: every
 * round runs `window` steps of each optimizer in turn, so a slow phase of a shared machine (they
 * last seconds) hits all of them alike; the estimate is each optimizer's fastest window. Each step
 * is what the trainer does per step: the closure (forward + backward on the batch), the optimizer
 * step, and the loss read back.
 */
async function interleavedStepMs(specs: Record<string, object>, batch: number, rounds: number, window = 10): Promise<Record<string, number>> {
  const { x, y } = loadMnistDigits();
  const batches = Math.floor(y.length / batch);
  const xs = Array.from({ length: batches }, (_, b) => tf.tensor2d(x.subarray(b * batch * 784, (b + 1) * batch * 784), [batch, 784]));
  const ys = Array.from({ length: batches }, (_, b) => tf.oneHot(tf.tensor1d(y.subarray(b * batch, (b + 1) * batch), 'int32'), 10));
  const runs = Object.entries(specs).map(([name, spec]) => {
    const net = mlp(0, `bench-${name}`);
    const opt = createOptimizer(spec as never, net.params.map((v, i) => ({ name: `p${i}`, variable: v, role: i % 2 === 0 ? 'kernel' as const : 'bias' as const })));
    return { name, net, opt, step: 0 };
  });
  const best: Record<string, number> = {};
  try {
    for (let r = 0; r <= rounds; r++) {
      // the order rotates: no optimizer always follows the same one (whose data the caches hold)
      for (const run of [...runs.slice(r % runs.length), ...runs.slice(0, r % runs.length)]) {
        const t = performance.now();
        for (let s = 0; s < window; s++) {
          const b = run.step++ % batches;
          const out = tf.tidy(() => run.opt.step(closureOf(run.net, xs[b]!, ys[b]!)) as unknown as tf.TensorContainer) as unknown as StepResult;
          await out.loss.data();
          tf.dispose([out.loss, ...Object.values(out.diagnostics ?? {})]);
        }
        // round 0 warms up (compilation, first allocations)
        if (r > 0) best[run.name] = Math.min(best[run.name] ?? Infinity, (performance.now() - t) / window);
      }
    }
  } finally {
    for (const run of runs) { run.opt.dispose(); tf.dispose(run.net.params); }
    tf.dispose([...xs, ...ys]);
  }
  return best;
}

export async function benchOptimizers(backend: BackendName, steps = 200, repeats = 3, only?: readonly string[], batch = 64, rounds = 30): Promise<OptimizerBench> {
  const info = await initBackend(backend);
  const specs: Record<string, object> = {};
  const gradEvals: Record<string, number> = {};
  for (const e of optimizerRegistry.entries) {
    if (only && e.name !== 'sgd' && !only.includes(e.name)) continue;
    const wrapper = Boolean(e.nested?.base);
    specs[e.name] = wrapper ? { name: e.name, base: { name: 'sgd', lr: 0.01 } } : { name: e.name, ...(e.name.startsWith('momo') ? {} : { lr: 0.01 }) };
    gradEvals[e.name] = e.gradEvals;
  }
  const ms = rounds > 0 ? await interleavedStepMs(specs, batch, rounds) : {};
  const ratio: Record<string, number> = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v / ms.sgd!]));
  // Runner overhead: the median over steps of minima's step time / the bare step right after it
  // (paired in time, so the machine's phases cancel; 20-step windows were too few to settle).
  // Throughputs are each side's fastest 20-step window, the estimator the numpy loop gets.
  const ratios: number[] = [];
  let minimaAdam = Infinity, bare = Infinity;
  const window = (a: readonly number[], i: number) => a.slice(i, i + 20).reduce((x, y) => x + y, 0) / 20;
  for (let r = 0; r < repeats; r++) {
    const t = await lockstep(steps, info.name, 64);
    t.minima.forEach((m, i) => ratios.push(m / t.bare[i]!));
    for (let i = 0; i + 20 <= t.minima.length; i += 20) {
      minimaAdam = Math.min(minimaAdam, window(t.minima, i));
      bare = Math.min(bare, window(t.bare, i));
    }
  }
  ratios.sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)]!;
  return {
    backend: info.name,
    steps,
    batch,
    ms_per_step: ms,
    ratio_to_sgd: ratio,
    grad_evals: gradEvals,
    runner: { minima_samples_per_s: (64 * 1000) / minimaAdam, bare_samples_per_s: (64 * 1000) / bare, overhead: median - 1, steps: ratios.length },
  };
}

export function formatOptimizerBench(b: OptimizerBench): string {
  const lines = [`optimizer cost, MNIST MLP 784-256-10, batch ${b.batch}, backend ${b.backend} (time per step relative to sgd)`];
  for (const [name, r] of Object.entries(b.ratio_to_sgd).sort((a, c) => a[1] - c[1])) {
    lines.push(`  ${name.padEnd(10)} ${b.ms_per_step[name]!.toFixed(2).padStart(8)} ms/step  ${r.toFixed(2)}×  (grad evals ${b.grad_evals[name]})`);
  }
  lines.push(`runner overhead (Adam, same steps, same optimizer code, in lockstep): minima ${b.runner.minima_samples_per_s.toFixed(0)} samples/s vs bare tfjs loop ${b.runner.bare_samples_per_s.toFixed(0)} samples/s (fastest 20-step windows); median of ${b.runner.steps} paired step ratios → ${(b.runner.overhead * 100).toFixed(1)}%`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
  tf.env().set('PROD', true);
  if (process.argv.includes('--no-fused')) setFusedKernels(false);
  const b = await benchOptimizers((arg('backend') ?? 'auto') as BackendName, Number(arg('steps') ?? 200), Number(arg('repeats') ?? 3), arg('only')?.split(','), Number(arg('batch') ?? 64), process.argv.includes('--runner-only') ? 0 : Number(arg('rounds') ?? 30));
  console.log(formatOptimizerBench(b));
}
