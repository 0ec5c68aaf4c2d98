/**
 * Where a ResNet-20 training step spends its time on the default CPU path (wasm + pack + BLAS):
 * every kernel of the step timed through tf.profile (wasm kernels are synchronous, so a kernel's
 * time is its wall time), BLAS sgemm calls timed separately (the Blas object is wrapped), and the
 * kernels sorted into groups:
 *   GEMM                      time inside sgemm (convolutions and dense layers)
 *   im2col / col2im / packing the rest of the Conv2D, Conv2DBackpropInput/Filter kernels
 *   BatchNorm fwd/bwd         reductions of an NHWC tensor to its C channels and elementwise ops
 *                             with a per-channel [C] operand (tf.moments, normalise, γ/β, their gradients)
 *   elementwise               other elementwise ops (ReLU and its gradient, residual adds, loss)
 *   pooling / shortcuts       global average pool and its gradient, option-A subsample + pad
 *   other kernels             the rest (optimizer update, casts, copies)
 *   JS overhead               a step's time (unprofiled, median) minus the sum of its kernels:
 *                             tape, gradient functions, dispatch, tensor bookkeeping
 * Allocation is reported as the tensors and bytes a step creates (its time is inside the kernels).
 * Usage: OPENBLAS_NUM_THREADS=1 node --import tsx bench/profile.ts [--wall] [--model=resnet20|wrn16-4|cnn] [--optimizer=sgd] [--steps=3] [--batch=128]
 */
import * as tf from '../src/backends/tf.js';
import { initBackend, loadBlas } from '../src/backends/index.js';
import { buildModel } from '../src/models/index.js';
import { createOptimizer } from '../src/optim/index.js';
import { Rng } from '../src/core/random.js';
import type { DataSpec } from '../src/core/types.js';

const args = new Map(process.argv.slice(2).map((a) => {
  const [k, v] = a.replace(/^--/, '').split('=');
  return [k!, v ?? 'true'] as const;
}));
const modelName = args.get('model') ?? 'resnet20';
const steps = Number(args.get('steps') ?? 3);
const specs: Record<string, { spec: { name: string; [k: string]: unknown }; shape: number[]; batch: number }> = {
  resnet20: { spec: { name: 'resnet', depth: 20 }, shape: [32, 32, 3], batch: 128 },
  'wrn16-4': { spec: { name: 'wide-resnet', depth: 16, widen_factor: 4 }, shape: [32, 32, 3], batch: 128 },
  cnn: { spec: { name: 'cnn' }, shape: [28, 28, 1], batch: 64 },
};
const { spec, shape } = specs[modelName]!;
const batch = Number(args.get('batch') ?? specs[modelName]!.batch);
const optimizers: Record<string, { name: string; [k: string]: unknown }> = {
  sgd: { name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 5e-4 },
  adamw: { name: 'adamw', lr: 1e-3, weight_decay: 5e-4 },
  sam: { name: 'sam', rho: 0.05, base: { name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 5e-4 } },
};

const info = await initBackend('wasm');
tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
/**
 * Time is this process's CPU time (user + system), not wall time: on a shared machine wall time
 * counts other processes' turns, CPU time only this step's work. Run with OPENBLAS_NUM_THREADS=1
 * so that CPU time equals the work on one core (with more BLAS threads it sums their cores).
 * --wall measures wall time instead (an idle machine).
 */
const wallClock = args.has('wall');
const now = (): number => {
  if (wallClock) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// every kernel's time goes through the backend's time(): measure it with the same clock
(tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> }).time = async (f) => {
  const t = now();
  f();
  return { kernelMs: now() - t };
};
// the pack calls the cached Blas object's sgemm at each product: wrap it to time GEMM
const blas = loadBlas((process.env['MINIMA_BLAS'] as string | undefined) ?? 'auto').blas as { sgemm: (...a: unknown[]) => void } | undefined;
let gemmMs = 0, gemvMs = 0;
if (blas) {
  const inner = blas.sgemm;
  blas.sgemm = (...a: unknown[]) => {
    const t = now();
    inner(...a);
    // m = 1 or n = 1: the pack's Sum over leading axes (ones·x), i.e. BatchNorm's and bias reductions
    if (a[2] === 1 || a[3] === 1) gemvMs += now() - t;
    else gemmMs += now() - t;
  };
}

const data: DataSpec = { task: 'classification', inputShape: shape, inputKind: 'dense', numClasses: 10, outputDim: 10 };
const model = buildModel(spec, { data, seed: 0, head: 'logits' });
const rng = Rng.derive(0, 'bench-profile');
const x = tf.tensor(rng.fillUniform(new Float32Array(batch * shape.reduce((a, b) => a * b, 1))), [batch, ...shape]);
const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, () => rng.int(10)), 'int32'), 10);
const vars = model.params.map((p) => p.variable);
const opt = createOptimizer(optimizers[args.get('optimizer') ?? 'sgd']!, model.params);
const closure = () => {
  const { value, grads } = tf.variableGrads(() => {
    const out = model.apply(x, { training: true, dropoutSeed: 0 });
    if (out.updates) tf.dispose(out.updates.map(([, t]) => t));
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(out.output)), -1))) as tf.Scalar;
  }, vars);
  return { loss: value, grads: vars.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
};
const step = async (): Promise<void> => {
  const loss = tf.tidy(() => tf.keep(opt.step(closure).loss));
  await loss.data();
  loss.dispose();
};

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
function group(k: { name: string; inputShapes: number[][]; outputShapes: number[][] }): string {
  if (/^Conv2D/.test(k.name)) return 'conv';
  if (/MatMul/.test(k.name)) return 'matmul';
  const x4 = k.inputShapes.find((s) => s?.length === 4);
  const channels = x4?.[3];
  const out = k.outputShapes[0] ?? [];
  if (x4 && /^(Mean|Sum|Max)$/.test(k.name) && size(out) !== channels) return 'pooling / shortcuts';
  if (channels !== undefined && (size(out) === channels || k.inputShapes.some((s) => s && s.length > 0 && size(s) === channels))) return 'BatchNorm fwd/bwd';
  if (channels !== undefined && out.length === 4 && size(out) === channels) return 'BatchNorm fwd/bwd';
  if (/^(Pad|StridedSlice|Slice|AvgPool|MaxPool|Tile|BroadcastTo)/.test(k.name)) return 'pooling / shortcuts';
  if (/^(Relu|Step|Add|AddN|Sub|Mul|Div|Neg|Square|SquaredDifference|Sqrt|Rsqrt|Exp|Log|LogSoftmax|Softmax|Maximum|Minimum|Greater|Less|Select|Cast|Identity)/.test(k.name) && out.length >= 2 && size(out) >= batch * 10) return 'elementwise';
  return 'other kernels';
}

await step();
await step();
// unprofiled wall times first (tf.profile adds bookkeeping per kernel)
const walls: number[] = [];
for (let i = 0; i < steps; i++) {
  const t = now();
  await step();
  walls.push(now() - t);
}
walls.sort((a, b) => a - b);
const wall = walls[Math.floor(walls.length / 2)]!;

const byGroup = new Map<string, number>();
const byKernel = new Map<string, { ms: number; calls: number }>();
let kernelsMs = 0, profiledWall = 0, newTensors = 0, newBytes = 0;
gemmMs = 0;
gemvMs = 0;
for (let i = 0; i < steps; i++) {
  const t = now();
  const p = await tf.profile(step);
  profiledWall += now() - t;
  newTensors += p.newTensors;
  newBytes += p.kernels.reduce((a, k) => a + Math.max(0, k.bytesAdded), 0);
  for (const k of p.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : ((await k.kernelTimeMs) as { error?: string } & number);
    const g = group(k as never);
    byGroup.set(g, (byGroup.get(g) ?? 0) + ms);
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    byKernel.set(k.name, { ms: e.ms + ms, calls: e.calls + 1 });
    kernelsMs += ms;
  }
}
const per = (ms: number): number => ms / steps;
const conv = per(byGroup.get('conv') ?? 0), matmul = per(byGroup.get('matmul') ?? 0), gemm = per(gemmMs), gemv = per(gemvMs);
const kernels = per(kernelsMs);
const rows: [string, number][] = [
  ['GEMM (sgemm)', gemm],
  ['im2col / col2im / packing (conv kernels less GEMM)', Math.max(0, conv + matmul - gemm)],
  ['  of which BLAS ones·x reductions (m or n = 1)', gemv],
  ['BatchNorm fwd/bwd (composite ops, incl. those reductions)', per(byGroup.get('BatchNorm fwd/bwd') ?? 0)],
  ['elementwise (ReLU, residual adds, loss, their gradients)', per(byGroup.get('elementwise') ?? 0)],
  ['pooling / shortcuts (global mean, subsample + pad)', per(byGroup.get('pooling / shortcuts') ?? 0)],
  ['other kernels (optimizer update, copies)', per(byGroup.get('other kernels') ?? 0)],
  ['JS overhead (step wall − Σ kernels)', Math.max(0, wall - kernels)],
];
console.log(`${modelName}, batch ${batch}, ${args.get('optimizer') ?? 'sgd'}, on ${info.device}, ${wallClock ? 'wall' : 'CPU'} time: step ${wall.toFixed(0)} ms (median of ${steps} unprofiled, fastest ${walls[0]!.toFixed(0)}; ${(batch / wall * 1000).toFixed(0)} samples/s at that time), Σ kernels ${kernels.toFixed(0)} ms (profiled step ${per(profiledWall).toFixed(0)} ms)`);
for (const [label, ms] of rows) console.log(`  ${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms  ${(100 * ms / Math.max(wall, kernels)).toFixed(1).padStart(5)}%`);
console.log(`  allocation: ${(newTensors / steps).toFixed(0)} tensors left after a step; ${(newBytes / steps / 2 ** 20).toFixed(0)} MiB allocated by its kernels`);
console.log('  top kernels:');
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
  console.log(`    ${name.padEnd(26)} ${per(e.ms).toFixed(1).padStart(8)} ms  ${(e.calls / steps).toFixed(0).padStart(4)} calls`);
}
opt.dispose();
model.dispose();
tf.dispose([x, y]);
