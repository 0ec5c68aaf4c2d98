/**
 * minima against PyTorch on the models the papers use, in one run: MNIST MLP, the quickstart CNN,
 * ResNet-20 and WRN-16-4 on CIFAR-shaped input, with SGD, AdamW and SAM, whole training steps
 * (forward, backward, update) at the papers' batch sizes on random data of the right shape.
 * An "epoch" here is a fixed number of steps after one untimed warm-up step, the model built afresh
 * each time; the two sides alternate epoch by epoch (minima, then PyTorch through
 * bench/torch_models.py kept running as a server), so a slow phase of a shared machine hits both.
 * Reported per case: each side's best epoch (other processes only ever add time), their ratio, and
 * the spread of the ratios of the paired epochs (min, median, max over repeats).
 * minima's side builds the registry model and optimizer exactly as `minima run` does and computes
 * the cross-entropy on the model's logits; it leaves out the trainer's loop (batching, metric rows),
 * whose overhead bench/optimizers.ts measures separately (~5%).
 * Run alone: node --import tsx bench/models.ts [--full] [--models=mlp,cnn] [--optimizers=sgd,sam]
 *   [--repeats=3] [--scale=1] (multiplies every epoch's steps) [--backend=wasm] [--no-torch]
 *   [--torch-threads=1] (PyTorch thread counts tried besides its default each epoch, the better kept)
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '../src/backends/tf.js';
import { initBackend, type BackendName } from '../src/backends/index.js';
import { buildModel } from '../src/models/index.js';
import { createOptimizer } from '../src/optim/index.js';
import { Rng } from '../src/core/random.js';
import type { DataSpec, Model } from '../src/core/types.js';

export interface ModelCase {
  /** Name on both sides (bench/torch_models.py knows the same names). */
  readonly name: string;
  readonly spec: { name: string; [option: string]: unknown };
  readonly inputShape: readonly number[];
  readonly batch: number;
  /** Steps per epoch in the default run (--scale multiplies them). */
  readonly steps: number;
  /** In the default run (the rest with --full or --models). */
  readonly byDefault: readonly string[];
}

const mnist = [28, 28, 1] as const, cifar = [32, 32, 3] as const;

/** Batch sizes of the papers: 64 for the MNIST models (the issue's reference), 128 for the CIFAR ResNets (He et al.; Zagoruyko & Komodakis). */
export const modelCases: readonly ModelCase[] = [
  { name: 'mlp', spec: { name: 'mlp', hidden: [256] }, inputShape: [784], batch: 64, steps: 100, byDefault: ['sgd', 'adamw', 'sam'] },
  { name: 'cnn', spec: { name: 'cnn' }, inputShape: mnist, batch: 64, steps: 16, byDefault: ['sgd', 'adamw', 'sam'] },
  { name: 'resnet20', spec: { name: 'resnet', depth: 20 }, inputShape: cifar, batch: 128, steps: 3, byDefault: ['sgd', 'sam'] },
  { name: 'wrn16-4', spec: { name: 'wide-resnet', depth: 16, widen_factor: 4 }, inputShape: cifar, batch: 128, steps: 1, byDefault: ['sgd'] },
];

/** The same recipes as torch_models.py. */
const optimizerSpecs: Readonly<Record<string, { name: string; [option: string]: unknown }>> = {
  sgd: { name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 5e-4 },
  adamw: { name: 'adamw', lr: 1e-3, weight_decay: 5e-4 },
  sam: { name: 'sam', rho: 0.05, base: { name: 'sgd', lr: 0.1, momentum: 0.9, weight_decay: 5e-4 } },
};

export interface ModelBench {
  readonly model: string;
  readonly optimizer: string;
  readonly batch: number;
  readonly steps: number;
  /** samples/s of every epoch, in order. */
  readonly minima: number[];
  readonly torch?: number[];
  readonly best: { minima: number; torch?: number; ratio?: number };
  /** Ratios of the paired epochs (minima epoch i / PyTorch epoch i). */
  readonly ratios?: { min: number; median: number; max: number };
  readonly error?: string;
}

/** One epoch of minima: model and optimizer built from the registries, `steps` timed steps after one warm-up step. */
async function minimaEpoch(c: ModelCase, optimizer: string, steps: number): Promise<number> {
  return (await minimaSteps(c, optimizer, steps)).samplesPerSec;
}

/** `minimaEpoch` with the losses of every step (the warm-up first), for checks across backends (bench/gpu-check.ts). */
export async function minimaSteps(c: ModelCase, optimizer: string, steps: number): Promise<{ samplesPerSec: number; losses: number[] }> {
  const data: DataSpec = { task: 'classification', inputShape: [...c.inputShape], inputKind: 'dense', numClasses: 10, outputDim: 10 };
  const model: Model = buildModel(c.spec, { data, seed: 0, head: 'logits' });
  const rng = Rng.derive(0, 'bench-models', c.name);
  const size = c.batch * c.inputShape.reduce((a, b) => a * b, 1);
  const batches = Array.from({ length: 2 }, () => ({
    x: tf.tensor(rng.fillUniform(new Float32Array(size)), [c.batch, ...c.inputShape]),
    y: tf.oneHot(tf.tensor1d(Int32Array.from({ length: c.batch }, () => rng.int(10)), 'int32'), 10),
  }));
  const vars = model.params.map((p) => p.variable);
  const opt = createOptimizer(optimizerSpecs[optimizer]!, model.params);
  const losses: number[] = [];
  const step = async (i: number): Promise<void> => {
    const { x, y } = batches[i % 2]!;
    const closure = () => {
      const { value, grads } = tf.variableGrads(() => {
        const out = model.apply(x, { training: true, dropoutSeed: i });
        // BatchNorm's running statistics: the trainer assigns them; their cost is small, dispose here
        if (out.updates) tf.dispose(out.updates.map(([, t]) => t));
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(out.output)), -1))) as tf.Scalar;
      }, vars);
      return { loss: value, grads: vars.map((v) => grads[v.name] ?? tf.zerosLike(v)) };
    };
    const loss = tf.tidy(() => tf.keep(opt.step(closure).loss));
    losses.push((await loss.data())[0]!);
    loss.dispose();
  };
  try {
    await step(0);
    const t = performance.now();
    for (let i = 1; i <= steps; i++) await step(i);
    return { samplesPerSec: (steps * c.batch) / ((performance.now() - t) / 1000), losses };
  } finally {
    opt.dispose();
    model.dispose();
    for (const b of batches) tf.dispose([b.x, b.y]);
  }
}

interface TorchHello { readonly torch: string; readonly threads: number; readonly cuda?: boolean; readonly gpu?: string | null }

/** bench/torch_models.py as a server: one request line, one answer line. */
export class TorchServer {
  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly lines: AsyncIterator<string>, readonly hello: TorchHello) {}

  get version(): string { return this.hello.torch; }
  get threads(): number { return this.hello.threads; }

  /** One raw request (see torch_models.py); throws on PyTorch's error. */
  async request(req: Record<string, unknown>): Promise<{ seconds: number; samples_per_s: number }> {
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error('torch_models.py exited');
    const r = JSON.parse(next.value) as { seconds: number; samples_per_s: number; error?: string };
    if (r.error !== undefined) throw new Error(`PyTorch: ${r.error}`);
    return r;
  }

  static async start(): Promise<TorchServer | string> {
    const script = fileURLToPath(new URL('./torch_models.py', import.meta.url));
    for (const python of ['python3', '/usr/bin/python3']) {
      const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const rl: Interface = createInterface({ input: child.stdout });
      const lines = rl[Symbol.asyncIterator]();
      const first = await Promise.race([lines.next(), new Promise<IteratorResult<string>>((resolve) => child.once('error', () => resolve({ done: true, value: undefined })))]);
      if (!first.done) {
        return new TorchServer(child, lines, JSON.parse(first.value) as TorchHello);
      }
      child.kill();
      if (!stderr.includes('No module named')) return `python3 torch_models.py failed: ${stderr.trim().split('\n').pop() ?? 'no output'}`;
    }
    return 'python3 with torch not found (pip install torch)';
  }

  /** samples/s of one epoch: the better of PyTorch's default thread count and each of `threads` (small models often win on one thread). */
  async epoch(c: ModelCase, optimizer: string, steps: number, threads: readonly number[]): Promise<number> {
    let best = 0;
    for (const t of [this.threads, ...threads.filter((n) => n !== this.threads)]) {
      const r = await this.request({ model: c.name, optimizer, batch: c.batch, steps, warmup: 1, threads: t });
      best = Math.max(best, r.samples_per_s);
    }
    return best;
  }

  close(): void {
    this.child.stdin.end();
  }
}

export interface ModelBenchOptions {
  readonly full?: boolean;
  readonly models?: readonly string[];
  readonly optimizers?: readonly string[];
  readonly repeats?: number;
  readonly scale?: number;
  readonly torch?: boolean;
  /** PyTorch thread counts tried besides its default, the better kept (default [1]). */
  readonly torchThreads?: readonly number[];
  readonly backend?: BackendName;
  /** Progress lines (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

export interface ModelBenchReport {
  readonly backend: string;
  readonly torch: { version: string; threads: number; alsoThreads: readonly number[] } | { unavailable: string };
  readonly repeats: number;
  readonly cases: ModelBench[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function benchModels(o: ModelBenchOptions = {}): Promise<ModelBenchReport> {
  const info = await initBackend(o.backend ?? 'wasm');
  const repeats = o.repeats ?? (o.full ? 5 : 3);
  const scale = o.scale ?? (o.full ? 4 : 1);
  const torch = o.torch === false ? 'disabled (--no-torch)' : await TorchServer.start();
  const plan = modelCases.filter((c) => !o.models || o.models.includes(c.name)).flatMap((c) =>
    (o.optimizers ?? (o.full || o.models ? Object.keys(optimizerSpecs) : c.byDefault)).map((opt) => ({ c, opt, steps: Math.max(1, Math.round(c.steps * scale)) })));
  const results = plan.map(({ c, opt, steps }) => ({ c, opt, steps, minima: [] as number[], torch: [] as number[], error: undefined as string | undefined }));
  try {
    for (let r = 0; r < repeats; r++) {
      for (const res of results) {
        if (res.error !== undefined) continue;
        o.progress?.(`  ${res.c.name} × ${res.opt} (batch ${res.c.batch}, ${res.steps} steps), epoch ${r + 1}/${repeats}`);
        try {
          // alternate which side goes first, so neither always follows the other's warm caches
          const sides = [async () => res.minima.push(await minimaEpoch(res.c, res.opt, res.steps)),
            async () => { if (typeof torch !== 'string') res.torch.push(await torch.epoch(res.c, res.opt, res.steps, o.torchThreads ?? [1])); }];
          for (const side of r % 2 ? sides.reverse() : sides) await side();
        } catch (err) {
          res.error = (err as Error).message.split('\n')[0]!;
        }
      }
    }
  } finally {
    if (typeof torch !== 'string') torch.close();
  }
  const cases = results.map((res): ModelBench => {
    const bestMinima = Math.max(...res.minima, 0);
    const paired = res.torch.length === res.minima.length && res.torch.length > 0;
    const bestTorch = paired ? Math.max(...res.torch) : undefined;
    const ratios = paired ? res.minima.map((m, i) => m / res.torch[i]!) : undefined;
    return {
      model: res.c.name, optimizer: res.opt, batch: res.c.batch, steps: res.steps,
      minima: res.minima, ...(paired ? { torch: res.torch } : {}),
      best: { minima: bestMinima, ...(bestTorch !== undefined ? { torch: bestTorch, ratio: bestMinima / bestTorch } : {}) },
      ...(ratios ? { ratios: { min: Math.min(...ratios), median: median(ratios), max: Math.max(...ratios) } } : {}),
      ...(res.error !== undefined ? { error: res.error } : {}),
    };
  });
  return { backend: info.device, torch: typeof torch === 'string' ? { unavailable: torch } : { version: torch.version, threads: torch.threads, alsoThreads: (o.torchThreads ?? [1]).filter((n) => n !== torch.threads) }, repeats, cases };
}

/** Issue 16's targets on this kind of machine (default CPU path with OpenBLAS). */
export const modelTargets: Readonly<Record<string, number>> = { mlp: 1.5, cnn: 1.0, resnet20: 0.5, 'wrn16-4': 0.5 };

const fmt = (x: number | undefined): string => (x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

export function formatModelBench(r: ModelBenchReport): string {
  const torchLabel = 'version' in r.torch ? `PyTorch ${r.torch.version} (${r.torch.alsoThreads.length ? `per epoch the better of ${[r.torch.threads, ...r.torch.alsoThreads].join(', ')} threads` : `${r.torch.threads} threads`})` : `PyTorch: ${r.torch.unavailable}`;
  const out = [`whole training steps, samples/s, best of ${r.repeats} epochs each side, interleaved; minima on ${r.backend}; ${torchLabel}`];
  const rows = [['model × optimizer', 'batch', 'steps', 'minima', 'PyTorch', 'ratio', 'paired ratios min–median–max', 'target']];
  for (const c of r.cases) {
    const target = modelTargets[c.model];
    rows.push([`${c.model} × ${c.optimizer}`, String(c.batch), String(c.steps), fmt(c.best.minima), fmt(c.best.torch),
      c.best.ratio === undefined ? '—' : `${c.best.ratio.toFixed(2)}×`,
      c.ratios ? `${c.ratios.min.toFixed(2)}–${c.ratios.median.toFixed(2)}–${c.ratios.max.toFixed(2)}` : '—',
      target === undefined || c.best.ratio === undefined ? '' : `≥ ${target}× ${c.best.ratio >= target ? 'ok' : 'MISSED'}`]);
    if (c.error) rows.push([`  failed: ${c.error}`, '', '', '', '', '', '', '']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.filter((row) => !row[0]!.startsWith('  failed')).map((row) => row[i]!.length)));
  for (const row of rows) {
    out.push(row[0]!.startsWith('  failed') ? row[0]! : row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  }
  return out.join('\n');
}

// the name check too: bundled into gpu-check.mjs (scripts/gpu-bundle.mjs), import.meta.url is the bundle's
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && /models\.[jt]s$/.test(process.argv[1])) {
  const args = new Map(process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'] as const;
  }));
  const list = (k: string): string[] | undefined => args.get(k)?.split(',');
  const models = list('models'), optimizers = list('optimizers');
  const report = await benchModels({
    full: args.has('full'),
    ...(models ? { models } : {}),
    ...(optimizers ? { optimizers } : {}),
    ...(args.has('repeats') ? { repeats: Number(args.get('repeats')) } : {}),
    ...(args.has('scale') ? { scale: Number(args.get('scale')) } : {}),
    ...(args.has('backend') ? { backend: args.get('backend') as BackendName } : {}),
    torch: !args.has('no-torch'),
    ...(args.has('torch-threads') ? { torchThreads: args.get('torch-threads')!.split(',').map(Number) } : {}),
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  console.log(formatModelBench(report));
  if (args.has('json')) console.log(JSON.stringify(report));
}
