/**
 * The offline GPU bundle (scripts/gpu-bundle.mjs) and scripts/gpu-check.sh's use of it, on this
 * GPU-less machine: the bundle is built, a bare checkout (the script and the quickstart config, no
 * node_modules, no sources) gets it, and the script must unpack it, run the bundled check (the CPU
 * reference losses of the quickstart CNN; WebGPU either runs or says why not) and the bundled CLI's
 * quickstart on wasm, and write one JSON file with all of it. Gated (`npm run test:gpu-bundle`,
 * ~3 min): xz and the esbuild bundles take a minute of the 2 cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/cli.js';

const skip = process.env['MINIMA_TEST_GPU_BUNDLE'] === '1' ? false : 'set MINIMA_TEST_GPU_BUNDLE=1 (npm run test:gpu-bundle)';

test('gpu-check.sh runs from the offline bundle in a checkout without node_modules', { skip, timeout: 600_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'minima-gpu-bundle-test-'));
  try {
    const tarball = join(work, 'bundle.tar.xz');
    execFileSync(process.execPath, [join(repoRoot, 'scripts/gpu-bundle.mjs'), tarball], { stdio: 'pipe' });
    // the script and the quickstart config are all a checkout must hold besides the bundle
    const checkout = join(work, 'checkout');
    for (const f of ['scripts/gpu-check.sh', 'configs/quickstart.yaml']) {
      mkdirSync(dirname(join(checkout, f)), { recursive: true });
      copyFileSync(join(repoRoot, f), join(checkout, f));
    }
    copyFileSync(tarball, join(checkout, '.gpu-bundle.tar.xz'));
    const out = join(work, 'out');
    mkdirSync(out);
    const r = spawnSync('bash', ['scripts/gpu-check.sh'], {
      cwd: checkout,
      encoding: 'utf8',
      env: {
        ...process.env, OUT: out, TMPDIR: work, XDG_RUNTIME_DIR: work,
        GPU_CHECK_MODELS: 'cnn', GPU_CHECK_STEPS: '1', GPU_CHECK_NO_TORCH: '1', GPU_CHECK_BUDGET: '60',
        GPU_CHECK_QUICKSTART_ARGS: 'dataset.train_size=320 train.epochs=1',
      },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /offline bundle/);
    const result = JSON.parse(readFileSync(join(out, 'gpu-check.json'), 'utf8')) as {
      reference: { backend: string; losses: Record<string, number[]> };
      backends: { backend: string; error?: string; cases: { model: string; loss_ok?: boolean }[] }[];
      quickstart: { backend: string; status?: string; error?: string; final?: Record<string, number> }[];
      setup: { notes: string[] };
    };
    assert.match(result.reference.backend, /^wasm/);
    assert.equal(result.reference.losses['cnn']?.length, 3);
    assert.ok(result.reference.losses['cnn']!.every(Number.isFinite));
    const webgpu = result.backends.find((b) => b.backend === 'webgpu')!;
    // no GPU here: WebGPU either found a (software) adapter and agreed with the CPU path, or said why not
    if (webgpu.error === undefined) assert.ok(webgpu.cases.every((c) => c.loss_ok === true), JSON.stringify(webgpu));
    else assert.match(webgpu.error, /webgpu/);
    const wasm = result.quickstart.find((q) => q.backend === 'wasm')!;
    assert.equal(wasm.status, 'completed', JSON.stringify(wasm));
    assert.ok(wasm.final!['test.accuracy']! > 0.2, JSON.stringify(wasm));
    assert.ok(result.setup.notes.some((n) => n.includes('offline bundle')));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
