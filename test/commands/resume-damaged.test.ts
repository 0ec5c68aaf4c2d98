/**
 * `minima resume` verifies checkpoints before it builds or writes anything: a damaged newest one is
 * named and passed over for the previous intact one (the run then ends bit for bit like its
 * uninterrupted twin); with none intact it refuses with exit 2 and leaves the folder as it was.
 * Checkpoints of the previous format (no checksums) still resume, with a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunnerError } from '../../src/core/errors.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { DAMAGES, toFormat1 } from '../support/damage.js';
import { resumeTiny, runTiny, status, tensorsBin, tinyConfig, trajectory, truncatedCopy } from '../train/harness.js';

const config = tinyConfig({ train: { steps: 6, checkpoint_every: 2 } });
const kinds = ['the state object deleted from state.json', 'one flipped byte in tensors.bin', 'tensors.bin overwritten with random bytes of the same size', 'tensors.bin missing'];

test('a damaged newest checkpoint is named and passed over; the run ends like its twin', async () => {
  await withTmpDir(async (tmp) => {
    const full = await runTiny(tmp, 'full', config);
    assert.equal(full.code, 0);
    for (const [i, kind] of kinds.entries()) {
      const cut = truncatedCopy(full.dir, 4, join(tmp, `cut${i}`));
      DAMAGES.find((d) => d.name === kind)!.apply(join(cut, 'checkpoints', 'step-000004'), () => 0.37);
      const r = await resumeTiny(tmp, cut);
      assert.equal(r.code, 0, `${kind}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`warning: checkpoint ${cut}/checkpoints/step-000004 is damaged: `), kind);
      assert.match(r.stderr, /falling back to the previous intact checkpoint .*step-000002/, kind);
      assert.deepEqual(trajectory(cut), trajectory(full.dir), kind);
      assert.ok(tensorsBin(cut, 6).equals(tensorsBin(full.dir, 6)), kind);
      assert.ok(tensorsBin(cut, 4).equals(tensorsBin(full.dir, 4)), `${kind}: the damaged checkpoint was rewritten`);
    }
  });
});

test('no intact checkpoint: resume refuses with exit 2 and changes nothing', async () => {
  await withTmpDir(async (tmp) => {
    const full = await runTiny(tmp, 'full', config);
    const cut = truncatedCopy(full.dir, 4, join(tmp, 'cut'));
    const flip = DAMAGES.find((d) => d.name === 'one flipped byte in tensors.bin')!;
    for (const s of ['step-000002', 'step-000004']) flip.apply(join(cut, 'checkpoints', s), () => 0.61);
    const before = readFileSync(join(cut, 'metrics.jsonl'), 'utf8');
    await assert.rejects(resumeTiny(tmp, cut), (e: unknown) => e instanceof RunnerError && e.code === 'CHECKPOINT_INVALID' && e.exitCode === 2 && /no intact checkpoint/.test(e.message));
    assert.equal(readFileSync(join(cut, 'metrics.jsonl'), 'utf8'), before);
    assert.equal(status(cut), 'interrupted');
  });
});

test('checkpoints of the previous format (no checksums) resume bit for bit, with a warning', async () => {
  await withTmpDir(async (tmp) => {
    const full = await runTiny(tmp, 'full', config);
    const cut = truncatedCopy(full.dir, 4, join(tmp, 'cut'));
    for (const s of ['step-000002', 'step-000004']) toFormat1(join(cut, 'checkpoints', s));
    const r = await resumeTiny(tmp, cut);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /step-000004: a format-1 checkpoint carries no checksums/);
    assert.deepEqual(trajectory(cut), trajectory(full.dir));
    assert.ok(tensorsBin(cut, 6).equals(tensorsBin(full.dir, 6)));
  });
});

test('an intact checkpoint of another model (--allow-config-change) is refused by name, not a stack trace', async () => {
  await withTmpDir(async (tmp) => {
    const full = await runTiny(tmp, 'full', config);
    const cut = truncatedCopy(full.dir, 4, join(tmp, 'cut'));
    const r = await resumeTiny(tmp, cut, ['model.hidden=[5]'], true);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /CHECKPOINT_INVALID: checkpoint tensor \S+ has shape \[\d+, 8\], the model's is \[\d+, 5\]/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

test('a torn or edited meta.json is named and rewritten; the run resumes like its twin', async () => {
  await withTmpDir(async (tmp) => {
    const full = await runTiny(tmp, 'full', config);
    for (const [i, text] of ['{"name": "tiny", "sess', '[1, 2]', '{"sessions": 7}'].entries()) {
      const cut = truncatedCopy(full.dir, 4, join(tmp, `meta${i}`));
      writeFileSync(join(cut, 'meta.json'), text);
      const r = await resumeTiny(tmp, cut);
      assert.equal(r.code, 0, `${text}: ${r.stderr}`);
      if (i < 2) assert.match(r.stderr, /warning: .*meta\.json is damaged \(not a JSON object\)/, text);
      const meta = JSON.parse(readFileSync(join(cut, 'meta.json'), 'utf8')) as { sessions: unknown[] };
      assert.ok(Array.isArray(meta.sessions) && meta.sessions.length >= 1, text);
      assert.deepEqual(trajectory(cut), trajectory(full.dir), text);
    }
  });
});
