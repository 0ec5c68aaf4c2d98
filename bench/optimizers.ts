/**
 * Optimizer cost and runner overhead, measured side by side in one process on one backend:
 * - time per training step of every registry optimizer (wrappers around sgd) relative to sgd, for
 *   the MNIST MLP (784-256-10, batch 64): all optimizers on the same batches, interleaved in rounds
 *   of 10 steps each (30 rounds, the order rotating), so a slow phase of a shared machine hits them alike; each one's fastest
 *   window is its estimate (other processes only ever add time);
 * - runner overhead: `minima run`'s loop (`run()` in-process; step time from the train rows'
 *   `time_s`, fastest 20-step window over repeats) against the bare tfjs loop of bench/train-loop.ts
 *   doing the same steps (MLP, Adam, batch 64).
 * Run alone: node --import tsx bench/optimizers.ts [--backend=wasm] [--rounds=30] [--batch=64]
 *   [--steps=120] [--repeats=3] [--only=adamw,sam] (sgd, the reference, always runs)
 *   [--no-fused] (composite ops only, for comparison)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as tf from '../src/backends/tf.js';
import { run } from '../src/commands/run.js';
import { createOptimizer, optimizerRegistry } from '../src/optim/index.js';
import { setFusedKernels } from '../src/optim/fused/kernel.js';
import { initBackend, type BackendName } from '../src/backends/index.js';
import { loadMnistDigits } from '../src/data/index.js';
import { closureOf, mlp } from './train-loop.js';
import type { StepResult } from '../src/optim/types.js';

export interface OptimizerBench {
  readonly backend: string;
  readonly steps: number;
  readonly batch: number;
  readonly ms_per_step: Record<string, number>;
  readonly ratio_to_sgd: Record<string, number>;
  readonly grad_evals: Record<string, number>;
  readonly runner: { readonly minima_samples_per_s: number; readonly bare_samples_per_s: number; readonly overhead: number };
}

const quiet = { cwd: '', stdout: new PassThrough(), stderr: new PassThrough(), isTTY: false, signal: new AbortController().signal };

function config(dir: string, optimizer: object, steps: number, backend: string, batch: number): string {
  const path = join(dir, 'bench.yaml');
  writeFileSync(path, JSON.stringify({
    name: 'bench', seed: 0, backend,
    dataset: { name: 'mnist', train_size: 8000, test_size: 100 },
    model: { name: 'mlp', hidden: [256] },
    loss: { name: 'cross-entropy' },
    optimizer,
    train: { steps, batch_size: batch, log_every: 20, eval_every: steps, eval_splits: ['test'], checkpoint_every: steps },
  }));
  return path;
}

/** ms per step between the first logged row (warm-up) and the last. */
async function minimaStepMs(optimizer: object, steps: number, backend: string, batch = 64): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'minima-bench-'));
  try {
    const code = await run({ config: config(dir, optimizer, steps, backend, batch), runDir: join(dir, 'run'), quiet: true }, { ...quiet, cwd: dir });
    if (code !== 0) throw new Error(`bench run failed (${code}) for ${JSON.stringify(optimizer)}`);
    const rows = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string | boolean>)
      .filter((r) => r.split === 'train' && r.eval !== true && typeof r.time_s === 'number');
    let best = Infinity;
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1]!, b = rows[i]!;
      best = Math.min(best, ((b.time_s as number) - (a.time_s as number)) * 1000 / ((b.step as number) - (a.step as number)));
    }
    return best;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareStepMs(steps: number): Promise<number> {
  const { x, y } = loadMnistDigits();
  const net = mlp(0);
  // The same optimizer as the minima run (so the comparison isolates the runner: batching, the
  // closure, BN/dropout plumbing, metric rows), driven by a hand-written loop.
  const opt = createOptimizer({ name: 'adam', lr: 1e-3 }, net.params.map((v, i) => ({ name: `p${i}`, variable: v, role: i % 2 === 0 ? 'kernel' as const : 'bias' as const })));
  const batch = 64;
  const times: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const xs = tf.tensor2d(x.subarray(s * batch * 784, (s + 1) * batch * 784), [batch, 784]);
    const ys = tf.tensor1d(y.subarray(s * batch, (s + 1) * batch), 'int32');
    const loss = tf.tidy(() => opt.step(closureOf(net, xs, tf.oneHot(ys, 10))).loss);
    await loss.data();
    tf.dispose([xs, ys, loss]);
    times.push(performance.now() - t0);
  }
  opt.dispose();
  tf.dispose(net.params);
  // the same estimator as minimaStepMs: the fastest 20-step window after a 20-step warm-up
  let best = Infinity;
  for (let i = 20; i + 20 <= times.length; i += 20) best = Math.min(best, times.slice(i, i + 20).reduce((a, b) => a + b, 0) / 20);
  return best;
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

export async function benchOptimizers(backend: BackendName, steps = 120, repeats = 3, only?: readonly string[], batch = 64, rounds = 30): Promise<OptimizerBench> {
  const info = await initBackend(backend);
  const specs: Record<string, object> = {};
  const gradEvals: Record<string, number> = {};
  for (const e of optimizerRegistry.entries) {
    if (only && e.name !== 'sgd' && !only.includes(e.name)) continue;
    const wrapper = Boolean(e.nested?.base);
    specs[e.name] = wrapper ? { name: e.name, base: { name: 'sgd', lr: 0.01 } } : { name: e.name, ...(e.name.startsWith('momo') ? {} : { lr: 0.01 }) };
    gradEvals[e.name] = Number(e.info?.gradEvals ?? 1);
  }
  const ms = await interleavedStepMs(specs, batch, rounds);
  const ratio = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v / ms.sgd!]));
  let minimaAdam = Infinity, bare = Infinity;
  for (let r = 0; r < repeats; r++) {
    minimaAdam = Math.min(minimaAdam, await minimaStepMs({ name: 'adam', lr: 1e-3 }, steps, info.name));
    bare = Math.min(bare, await bareStepMs(steps));
  }
  return {
    backend: info.name,
    steps,
    batch,
    ms_per_step: ms,
    ratio_to_sgd: ratio,
    grad_evals: gradEvals,
    runner: { minima_samples_per_s: (64 * 1000) / minimaAdam, bare_samples_per_s: (64 * 1000) / bare, overhead: minimaAdam / bare - 1 },
  };
}

export function formatOptimizerBench(b: OptimizerBench): string {
  const lines = [`optimizer cost, MNIST MLP 784-256-10, batch ${b.batch}, backend ${b.backend} (time per step relative to sgd)`];
  for (const [name, r] of Object.entries(b.ratio_to_sgd).sort((a, c) => a[1] - c[1])) {
    lines.push(`  ${name.padEnd(10)} ${b.ms_per_step[name]!.toFixed(2).padStart(8)} ms/step  ${r.toFixed(2)}×  (grad evals ${b.grad_evals[name]})`);
  }
  lines.push(`runner overhead (Adam, same steps, same optimizer code): minima ${b.runner.minima_samples_per_s.toFixed(0)} samples/s vs bare tfjs loop ${b.runner.bare_samples_per_s.toFixed(0)} samples/s → ${(b.runner.overhead * 100).toFixed(1)}%`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
  tf.env().set('PROD', true);
  if (process.argv.includes('--no-fused')) setFusedKernels(false);
  const b = await benchOptimizers((arg('backend') ?? 'auto') as BackendName, Number(arg('steps') ?? 120), Number(arg('repeats') ?? 3), arg('only')?.split(','), Number(arg('batch') ?? 64), Number(arg('rounds') ?? 30));
  console.log(formatOptimizerBench(b));
}
