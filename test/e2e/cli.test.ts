/**
 * End to end: the real CLI in a temp folder. Covers the run folder, exit codes, bad configs that
 * leave nothing behind, divergence, and kill/resume reproducing an uninterrupted twin bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { withTmpDir } from '../support/tmp-dir.js';
import { distBuilt, minima, minimaAsync, repoRoot, runDirs, trajectory } from '../support/cli.js';

const skip = distBuilt ? false : 'dist/ is not built (run `npm run build`)';
const tiny = join(repoRoot, 'configs', 'test', 'tiny-moons.yaml');
/** tfjs-backend-cpu's console note on its first tensor in Node; minima prints its own backend notes. */
const banner = /Hi, looks like/;

test('run writes a complete run folder and prints its path', { skip }, async () => {
  await withTmpDir((dir) => {
    const r = minima(['run', tiny, 'train.epochs=1', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, banner);
    const out = JSON.parse(r.stdout.trim()) as { run_dir: string; status: string; summary: { final: Record<string, number> } };
    assert.equal(out.status, 'completed');
    const run = out.run_dir;
    assert.match(run, /runs\/\d{8}-\d{6}-tiny-moons$/);
    for (const f of ['config.yaml', 'overrides.yaml', 'meta.json', 'metrics.jsonl', 'metrics.csv', 'log.jsonl', 'summary.json', 'status']) {
      assert.ok(existsSync(join(run, f)), `${f} exists`);
    }
    assert.equal(readFileSync(join(run, 'status'), 'utf8').trim(), 'completed');
    const meta = JSON.parse(readFileSync(join(run, 'meta.json'), 'utf8')) as Record<string, any>;
    assert.equal(meta.backend.name, 'cpu');
    assert.equal(meta.seed, 0);
    assert.ok(meta.versions['@tensorflow/tfjs-core']);
    assert.ok(meta.start_time && meta.end_time);
    assert.match(readFileSync(join(run, 'overrides.yaml'), 'utf8'), /train\.epochs=1/);
    const rows = trajectory(run);
    assert.ok(rows.some((r) => r.split === 'test' && typeof r.accuracy === 'number'));
    assert.ok(rows.some((r) => r.split === 'train' && typeof r.lr === 'number' && r.grad_evals === 1));
    const csv = readFileSync(join(run, 'metrics.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, rows.length + 1, 'metrics.csv mirrors metrics.jsonl');
    const ckpts = readdirSync(join(run, 'checkpoints'));
    assert.ok(ckpts.length >= 1 && ckpts.every((c) => /^step-\d{6}$/.test(c)));
    const summary = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as Record<string, any>;
    assert.equal(summary.status, 'completed');
    assert.ok(summary.final['test.accuracy'] > 0.5);
    assert.ok(summary.best['test.accuracy'].step > 0);
    // a second run gets its own folder
    const r2 = minima(['run', tiny, 'train.epochs=1', '-q'], dir);
    assert.equal(r2.code, 0);
    assert.equal(runDirs(join(dir, 'runs')).length, 2);
  });
});

test('bad configs exit 2, name the problem and its location, and write nothing', { skip }, async () => {
  await withTmpDir((dir) => {
    const text = readFileSync(tiny, 'utf8');
    const cases: Record<string, [string, RegExp]> = {
      'typo-key.yaml': [text.replace('  lr: 0.1', '  lrr: 0.1'), /optimizer\.lrr.*did you mean "lr"/],
      'typo-name.yaml': [text.replace('name: sgd', 'name: sgdd'), /optimizer\.name.*did you mean "sgd"/],
      'wrong-type.yaml': [text.replace('batch_size: 32', 'batch_size: lots'), /train\.batch_size/],
      'negative-lr.yaml': [text.replace('lr: 0.1', 'lr: -1'), /optimizer\.lr/],
      'malformed.yaml': [text.replace('model:', 'model: [\n'), /YAML syntax/],
    };
    for (const [name, [body, pattern]] of Object.entries(cases)) {
      writeFileSync(join(dir, name), body);
      const r = minima(['run', name], dir);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, pattern, name);
      assert.match(r.stderr, new RegExp(`${name.replace('.', '\\.')}:\\d+:\\d+`), `${name} has a location`);
    }
    const missing = minima(['run', 'missing.yaml'], dir);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not found/);
    assert.equal(existsSync(join(dir, 'runs')), false, 'no run folder was created');
  });
});

test('validate, config and list', { skip }, async () => {
  await withTmpDir((dir) => {
    const v = minima(['validate', tiny], dir);
    assert.equal(v.code, 0, v.stderr);
    const c = minima(['config', tiny, 'optimizer.lr=0.5'], dir);
    assert.equal(c.code, 0);
    assert.match(c.stdout, /lr: 0\.5/);
    assert.match(c.stdout, /momentum: 0/);
    const l = minima(['list', 'optimizers', '--json'], dir);
    assert.equal(l.code, 0);
    const entries = JSON.parse(l.stdout) as { name: string }[];
    assert.ok(entries.some((e) => e.name === 'adamw'));
    const bad = minima(['list', 'optimisers'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /did you mean "optimizers"/);
  });
});

test('a diverging run stops cleanly with status diverged and exit 3', { skip }, async () => {
  await withTmpDir((dir) => {
    const r = minima(['run', tiny, 'optimizer.lr=1e30', 'train.checkpoint_every=1', '--json'], dir);
    assert.equal(r.code, 3, r.stderr);
    const out = JSON.parse(r.stdout.trim()) as { run_dir: string; status: string };
    assert.equal(out.status, 'diverged');
    assert.equal(readFileSync(join(out.run_dir, 'status'), 'utf8').trim(), 'diverged');
    const summary = JSON.parse(readFileSync(join(out.run_dir, 'summary.json'), 'utf8')) as { error: { code: string } };
    assert.equal(summary.error.code, 'NON_FINITE_LOSS');
  });
});

async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const signal of ['SIGKILL', 'SIGINT'] as const) {
  test(`a run stopped by ${signal} and resumed matches an uninterrupted twin bit for bit`, { skip }, async () => {
    await withTmpDir(async (dir) => {
      const args = ['train.epochs=20', 'train.checkpoint_every=7', 'train.log_every=5', 'train.eval_every=30'];
      const twin = minima(['run', tiny, ...args, '--run-dir', 'twin', '-q'], dir);
      assert.equal(twin.code, 0, twin.stderr);
      const child = minimaAsync(['run', tiny, ...args, '--run-dir', 'cut', '-q'], dir);
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await waitFor(() => existsSync(join(dir, 'cut', 'checkpoints')) && readdirSync(join(dir, 'cut', 'checkpoints')).filter((n) => n.startsWith('step-')).length >= 2, 60_000);
      child.kill(signal);
      const code = await exited;
      if (signal === 'SIGINT') {
        assert.equal(code, 130);
        assert.equal(readFileSync(join(dir, 'cut', 'status'), 'utf8').trim(), 'interrupted');
      } else {
        assert.equal(readFileSync(join(dir, 'cut', 'status'), 'utf8').trim(), 'running');
      }
      const r = minima(['resume', 'cut', '-q'], dir);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readFileSync(join(dir, 'cut', 'status'), 'utf8').trim(), 'completed');
      assert.deepEqual(trajectory(join(dir, 'cut')), trajectory(join(dir, 'twin')));
      const last = (d: string) => readdirSync(join(dir, d, 'checkpoints')).sort().at(-1)!;
      assert.equal(last('cut'), last('twin'));
      assert.ok(readFileSync(join(dir, 'cut', 'checkpoints', last('cut'), 'tensors.bin')).equals(readFileSync(join(dir, 'twin', 'checkpoints', last('twin'), 'tensors.bin'))), 'final weights and optimizer state are bitwise equal');
      const again = minima(['resume', 'cut'], dir);
      assert.equal(again.code, 0);
      assert.match(again.stderr, /already completed/);
    });
  });
}

test('resume refuses a changed config unless allowed', { skip }, async () => {
  await withTmpDir((dir) => {
    const r = minima(['run', tiny, 'train.epochs=1', '--run-dir', 'a', '-q'], dir);
    assert.equal(r.code, 0);
    writeFileSync(join(dir, 'a', 'status'), 'interrupted\n');
    const refused = minima(['resume', 'a', 'optimizer.lr=0.5'], dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /optimizer\.lr changed/);
  });
});

test('minima never prints the TensorFlow.js banner: CLI commands and library use', { skip }, async () => {
  await withTmpDir((dir) => {
    for (const args of [['validate', tiny], ['config', tiny], ['list'], ['list', 'models']]) {
      const r = minima(args, dir);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, banner, args.join(' '));
    }
    // Library use: a tensor on the cpu backend after importing minima; the control shows the
    // same script without minima does print it, so the check above can fail.
    const script = (withMinima: boolean) => [
      withMinima ? `const m = await import(${JSON.stringify(join(repoRoot, 'dist', 'index.js'))}); await m.initBackend('cpu');` : `await import('@tensorflow/tfjs');`,
      `const tf = await import('@tensorflow/tfjs-core'); await tf.setBackend('cpu'); tf.tensor([1, 2]).dataSync();`,
    ].join('\n');
    for (const withMinima of [true, false]) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script(withMinima)], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      if (withMinima) assert.doesNotMatch(r.stdout + r.stderr, banner, 'library use');
      else assert.match(r.stdout + r.stderr, banner, 'control: tfjs alone prints it');
    }
  });
});

test('usage errors exit 2; --help and --version exit 0', { skip }, async () => {
  await withTmpDir((dir) => {
    for (const args of [['run'], ['validate', tiny, '--bogus'], ['run', tiny, '--backend', 'gpu'], ['bogus'], []]) {
      const r = minima(args, dir);
      assert.equal(r.code, 2, `minima ${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.length > 0, 'says why');
    }
    for (const args of [['--help'], ['run', '--help'], ['--version']]) assert.equal(minima(args, dir).code, 0, args.join(' '));
  });
});
