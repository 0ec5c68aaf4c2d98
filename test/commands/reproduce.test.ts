import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reproduce } from '../../src/commands/reproduce.js';
import type { ConfigError, RunnerError } from '../../src/core/errors.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { captureContext } from '../sweep/helpers.js';

const MOONS = resolve(import.meta.dirname, '../../configs/test/tiny-moons.yaml');

/** A claim on tiny moons: Adam (lr 0.01) against SGD (lr 0.1) on final train accuracy, two seeds. */
function claimYaml(name: string, op: '>' | '<', extra = ''): string {
  return `name: ${name}
paper: {title: A test paper, authors: A. Author, year: 2020}
claim: AdamW trains the moons faster than SGD.
uses: [dataset:moons, model:mlp, optimizer:sgd, optimizer:adamw]
budget: {minutes: 0.5, quick_minutes: 0.2}
sweep:
  base: ${MOONS}
  grid:
    optimizer:
      - {name: sgd, lr: 0.1}
      - {name: adamw, lr: 0.01}
  seeds: 2
measures:
  reach: {steps_to: {metric: train.loss, target: 0.45}}
assert:
  - {kind: compare, metric: train.accuracy, a: {optimizer.name: adamw}, b: {optimizer.name: sgd}, op: '${op}'}
figure: {type: line, metric: train.accuracy, x: optimizer.name, color: optimizer.name}
quick:
  seeds: 1
${extra}`;
}

test('a claim that holds exits 0 with result.json, figure.svg/png and report.html; a false one exits 4; a re-run skips done trials', async () => {
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 'moons-adam.yaml'), claimYaml('moons-adam', '>'));
    writeFileSync(join(tmp, 'moons-sgd.yaml'), claimYaml('moons-sgd', '>').replace("a: {optimizer.name: adamw}, b: {optimizer.name: sgd}", "a: {optimizer.name: sgd}, b: {optimizer.name: adamw}"));
    const c = captureContext(tmp);
    assert.equal(await reproduce({ name: 'moons-adam.yaml', quick: true, workers: 2 }, c.ctx), 0);
    const out = join(tmp, 'runs/reproduce/moons-adam/quick');
    for (const f of ['result.json', 'figure.svg', 'figure.png', 'report.html', 'claim-sweep.yaml']) assert.ok(existsSync(join(out, f)), f);
    const r = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
    assert.equal(r.verdict, 'holds');
    assert.equal(r.quick, true);
    assert.equal(r.trials.total, 2);
    assert.equal(r.groups.length, 2);
    assert.match(r.assertions[0].text, /mean train\.accuracy: optimizer\.name=adamw > optimizer\.name=sgd: 0\.\d+ \(n=1\) > 0\.\d+ \(n=1\) ✓/);
    assert.match(readFileSync(join(out, 'figure.svg'), 'utf8'), /^<svg[\s\S]*train\.accuracy[\s\S]*<\/svg>$/);
    assert.deepEqual([...readFileSync(join(out, 'figure.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /Claim moons-adam \(quick\): <span class="status-completed">holds<\/span>/);
    assert.doesNotMatch(html, /<script[^>]+src=/);
    assert.match(c.err(), /claim moons-adam \(quick\): HOLDS/);

    // the planted false claim (SGD beats AdamW) reports "does not hold" with exit 4
    const f = captureContext(tmp);
    assert.equal(await reproduce({ name: 'moons-sgd.yaml', quick: true, workers: 2 }, f.ctx), 4);
    assert.equal(JSON.parse(readFileSync(join(tmp, 'runs/reproduce/moons-sgd/quick/result.json'), 'utf8')).verdict, 'does not hold');
    assert.match(f.err(), /✗ mean train\.accuracy: optimizer\.name=sgd > optimizer\.name=adamw/);

    // resumable like any sweep: the done trials are skipped and the verdict is the same
    const again = captureContext(tmp);
    assert.equal(await reproduce({ name: 'moons-adam.yaml', quick: true, json: true }, again.ctx), 0);
    assert.match(again.err(), /2 trials, 2 already done/);
    assert.equal(JSON.parse(again.out()).verdict, 'holds');
  });
});

test('trials that fail make the claim exit 6; a claim that needs a missing component is refused with exit 2 before anything runs', async () => {
  await withTmpDir(async (tmp) => {
    // every trial process crashes (a stand-in for the CLI that exits 1)
    writeFileSync(join(tmp, 'crash.mjs'), "console.error('boom'); process.exit(1);\n");
    writeFileSync(join(tmp, 'fails.yaml'), claimYaml('fails', '>'));
    const c = captureContext(tmp);
    assert.equal(await reproduce({ name: 'fails.yaml', quick: true, binPath: join(tmp, 'crash.mjs') }, c.ctx), 6);
    assert.equal(JSON.parse(readFileSync(join(tmp, 'runs/reproduce/fails/quick/result.json'), 'utf8')).verdict, 'trials failed');

    writeFileSync(join(tmp, 'later.yaml'), claimYaml('later', '>').replace('optimizer:adamw]', 'optimizer:adamw, diagnostic:no-such-measurement]'));
    await assert.rejects(reproduce({ name: 'later.yaml' }, captureContext(tmp).ctx), (e: RunnerError) => e.exitCode === 2 && /needs diagnostic:no-such-measurement, which minima does not have yet/.test(e.message));
    assert.equal(existsSync(join(tmp, 'runs/reproduce/later')), false);
  });
});

test('a bad claim file reports every problem with file:line; --list says which claims are ready', async () => {
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 'bad.yaml'), claimYaml('bad', '>').replace("op: '>'", "op: '=>'").replace('year: 2020', 'year: twenty'));
    await assert.rejects(reproduce({ name: 'bad.yaml' }, captureContext(tmp).ctx), (e: ConfigError) => {
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /bad\.yaml:2:\d+: paper\.year/);
      assert.match(e.message, /bad\.yaml:16:\d+: assert\.0\.op/);
      return true;
    });
    rmSync(join(tmp, 'bad.yaml'));
    writeFileSync(join(tmp, 'later.yaml'), claimYaml('later', '>').replace('optimizer:adamw]', 'optimizer:adamw, diagnostic:no-such-measurement]'));
    writeFileSync(join(tmp, 'moons.yaml'), claimYaml('moons', '>'));
    const c = captureContext(tmp);
    assert.equal(await reproduce({ list: true, claimsDir: '.', json: true }, c.ctx), 0);
    const rows = JSON.parse(c.out()) as { name: string; ready: boolean; missing: string[] }[];
    assert.deepEqual(rows.map((r) => [r.name, r.ready, r.missing]), [['later', false, ['diagnostic:no-such-measurement']], ['moons', true, []]]);
  });
});
