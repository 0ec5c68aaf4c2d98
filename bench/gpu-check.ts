/**
 * The GPU paths on a real GPU (run by scripts/gpu-check.sh, which installs what this needs, or
 * runs it bundled by scripts/gpu-bundle.mjs on a machine without registry access):
 * minima's WebGPU backend (Dawn over the machine's Vulkan driver) and the TensorFlow binding
 * (tfjs-node-gpu) when it loads, on the quickstart CNN, ResNet-20 and WRN-16-4. For each backend
 * and model: the losses of the first steps (SGD, same seed and batch) against the default CPU
 * path (wasm + pack, itself held to rtol 1e-4 of cpu by the backend tests), and samples/s of
 * whole training steps; next to PyTorch on the same GPU (bench/torch_models.py, device cuda)
 * when python3 imports a torch that sees CUDA. Writes one JSON file: $OUT/gpu-check.json when OUT
 * is set, else bench/gpu-check.json.
 * Usage: node --import tsx bench/gpu-check.ts [--steps=8] [--models=cnn,resnet20,wrn16-4] [--budget=300]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '../src/backends/tf.js';
import { initBackend, type BackendName } from '../src/backends/index.js';
import { minimaSteps, modelCases, TorchServer } from './models.js';

const args = new Map(process.argv.slice(2).map((a) => {
  const [k, v] = a.replace(/^--/, '').split('=');
  return [k!, v ?? 'true'] as const;
}));
const steps = Number(args.get('steps') ?? 8);
/** Seconds after which the remaining (slower) cases are skipped, so the whole script stays under 8 minutes. */
const budget = Number(args.get('budget') ?? 300);
const wanted = args.get('models')?.split(',') ?? ['cnn', 'resnet20', 'wrn16-4'];
const cases = modelCases.filter((c) => wanted.includes(c.name));
/** Losses of the first steps: GPU float32 sums in other orders than the CPU's, and two steps of SGD at lr 0.1 amplify that. */
const RTOL = 1e-3;
const start = performance.now();
const elapsed = (): number => (performance.now() - start) / 1000;
const log = (line: string): void => { process.stderr.write(`[${elapsed().toFixed(0)} s] ${line}\n`); };

interface CaseResult {
  model: string; batch: number; steps: number;
  samples_per_s?: number; losses?: number[]; cpu_losses?: number[];
  max_rel_diff?: number; loss_ok?: boolean; error?: string; skipped?: string;
}

async function onBackend(name: BackendName, reference: Map<string, number[]>): Promise<{ backend: string; device?: string; error?: string; cases: CaseResult[] }> {
  let device: string;
  try {
    device = (await initBackend(name)).device;
  } catch (err) {
    return { backend: name, error: (err as Error).message.split('\n')[0]!, cases: [] };
  }
  log(`${name}: ${device}`);
  const out: CaseResult[] = [];
  for (const c of cases) {
    const r: CaseResult = { model: c.name, batch: c.batch, steps };
    out.push(r);
    if (elapsed() > budget) { r.skipped = `time budget (${budget} s) spent`; continue; }
    try {
      // a short first run compiles the shaders; the timed run is a fresh model with warm caches
      const first = await minimaSteps(c, 'sgd', 2);
      r.losses = first.losses;
      const want = reference.get(c.name);
      if (want) {
        r.cpu_losses = want;
        r.max_rel_diff = Math.max(...want.map((w, i) => Math.abs(first.losses[i]! - w) / Math.max(Math.abs(w), 1e-6)));
        r.loss_ok = r.max_rel_diff <= RTOL && first.losses.every(Number.isFinite);
      }
      r.samples_per_s = (await minimaSteps(c, 'sgd', steps)).samplesPerSec;
      log(`  ${name} ${c.name}: ${r.samples_per_s.toFixed(0)} samples/s, losses ${r.losses.map((l) => l.toFixed(5)).join(' ')} (cpu ${want?.map((l) => l.toFixed(5)).join(' ') ?? '—'})`);
    } catch (err) {
      r.error = (err as Error).message.split('\n')[0]!;
      log(`  ${name} ${c.name}: failed: ${r.error}`);
    }
  }
  return { backend: name, device, cases: out };
}

async function main(): Promise<void> {
  // the CPU path's losses first: the reference every GPU backend is checked against
  const cpu = await initBackend('wasm');
  log(`reference: ${cpu.device}`);
  const reference = new Map<string, number[]>();
  for (const c of cases) {
    if (elapsed() > budget / 2) break;
    reference.set(c.name, (await minimaSteps(c, 'sgd', 2)).losses);
    log(`  cpu ${c.name}: losses ${reference.get(c.name)!.map((l) => l.toFixed(5)).join(' ')}`);
  }
  const backends = [await onBackend('webgpu', reference), await onBackend('tensorflow', reference)];

  let torch: Record<string, unknown> = { unavailable: 'not tried' };
  const server = await TorchServer.start();
  if (typeof server === 'string') torch = { unavailable: server };
  else if (!server.hello.cuda) { torch = { unavailable: `torch ${server.version} sees no CUDA device` }; server.close(); }
  else {
    const rows: Record<string, unknown>[] = [];
    for (const c of cases) {
      try {
        await server.request({ model: c.name, optimizer: 'sgd', batch: c.batch, steps: 2, warmup: 1, device: 'cuda' });
        const r = await server.request({ model: c.name, optimizer: 'sgd', batch: c.batch, steps, warmup: 1, device: 'cuda' });
        rows.push({ model: c.name, batch: c.batch, steps, samples_per_s: r.samples_per_s });
        log(`  torch cuda ${c.name}: ${r.samples_per_s.toFixed(0)} samples/s`);
      } catch (err) {
        rows.push({ model: c.name, error: (err as Error).message });
      }
    }
    server.close();
    torch = { version: server.version, gpu: server.hello.gpu, cases: rows };
  }

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, tfjs: tf.version_core },
    seconds: elapsed(),
    rtol: RTOL,
    reference: { backend: cpu.device, losses: Object.fromEntries(reference) },
    backends,
    torch,
  };
  const dir = process.env['OUT'] ?? fileURLToPath(new URL('.', import.meta.url));
  const path = join(dir, 'gpu-check.json');
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  log(`wrote ${path}`);
}

await main();
