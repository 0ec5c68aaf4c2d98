#!/usr/bin/env node
// Runs `minima replay` on many problem files in one process (compare.py's default runner), through
// the same command function the CLI calls. Run with the tsx loader from the repository root:
//   node --import tsx scripts/official/minima-replay.mjs MANIFEST.json [--backend cpu] [--composite]
// MANIFEST.json: [{"problem": "a.json", "out": "a.traj.json", "steps": 20}, ...]
// --composite switches the fused cpu/wasm kernels off, so the composite tf ops are checked too.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const manifest = args.find((a) => !a.startsWith('--'));
if (!manifest) {
  process.stderr.write('usage: minima-replay.mjs MANIFEST.json [--backend NAME] [--composite]\n');
  process.exit(2);
}
const b = args.indexOf('--backend');
const backend = b >= 0 ? args[b + 1] : 'cpu';
const { replay } = await import('../../src/commands/replay.ts');
const { processContext } = await import('../../src/commands/context.ts');
if (args.includes('--composite')) (await import('../../src/backends/kernels/kernel.ts')).setFusedKernels(false);
const ctx = { ...processContext(['minima', 'replay'], new AbortController().signal), stdout: { write: () => true } };
let failed = 0;
for (const job of JSON.parse(readFileSync(manifest, 'utf8'))) {
  try {
    await replay({ problem: job.problem, steps: job.steps, out: job.out, backend }, ctx);
  } catch (err) {
    failed++;
    process.stderr.write(`${job.problem}: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
