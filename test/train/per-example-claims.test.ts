/**
 * The shipped claim configs of aldr-kl, saf, mesa and the MNIST flatness procedures run (two steps
 * each), so they stay valid; and bad
 * options of these losses are rejected by validate with exit 2 and a file:line location.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import '../support/tf.js';
import { run } from '../../src/commands/run.js';
import { validate } from '../../src/commands/validate.js';
import { ExitCode, RunnerError } from '../../src/core/errors.js';
import { captureContext } from '../sweep/helpers.js';
import { repoRoot } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { capture, status } from './harness.js';

for (const topic of ['aldr-kl', 'saf', 'mesa', 'flatness']) {
  const dir = join(repoRoot, 'configs', 'claims', topic);
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
    test(`configs/claims/${topic}/${name} runs two steps`, async () => {
      await withTmpDir(async (tmp) => {
        const runDir = join(tmp, 'run');
        const { ctx, stderr } = capture(tmp, ['run', join(dir, name)]);
        const code = await run({ config: join(dir, name), overrides: ['~train.epochs', 'train.steps=2', 'train.eval_every=2', 'dataset.train_size=256', 'dataset.test_size=128', 'backend=cpu'], runDir, quiet: true }, ctx);
        assert.equal(code, 0, stderr());
        assert.equal(status(runDir), 'completed');
      });
    });
  }
}

test('validate rejects per-example-state losses with impossible options (exit 2, file:line), before anything is written', async () => {
  const tiny = join(repoRoot, 'configs', 'test', 'tiny-moons.yaml');
  const cases: [string, RegExp][] = [
    ['loss:\n  name: saf\n  kl_start_epoch: 5\n  kl_end_epoch: 6\n', /exp\.yaml:\d+:\d+: loss\.kl_end_epoch: .*holds no epoch/],
    ['loss:\n  name: saf\n  minus_epoch: 0\n', /exp\.yaml:\d+:\d+: loss\.minus_epoch/],
    ['loss:\n  name: aldr-kl\n  alpha: 0.5\n', /exp\.yaml:\d+:\d+: loss\.alpha/],
    ['loss:\n  name: aldr-kl\n  normalize: softmax\n', /exp\.yaml:\d+:\d+: loss\.normalize/],
  ];
  for (const [body, says] of cases) {
    await withTmpDir(async (dir) => {
      writeFileSync(join(dir, 'exp.yaml'), `extends: ${tiny}\n${body}`);
      const v = captureContext(dir);
      await assert.rejects(validate({ config: 'exp.yaml' }, v.ctx), (err: unknown) => {
        assert.ok(err instanceof RunnerError, String(err));
        assert.equal(err.exitCode, ExitCode.usage);
        assert.match(err.message, says);
        return true;
      });
      const r = captureContext(dir);
      await assert.rejects(run({ config: 'exp.yaml', overrides: [], runsDir: join(dir, 'runs'), quiet: true }, r.ctx));
      assert.equal(existsSync(join(dir, 'runs')), false, 'nothing written');
    });
  }
});
