import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { CLAIMS_DIR, missingComponents } from '../../src/commands/reproduce.js';
import { claimFiles, loadClaim } from '../../src/reproduce/claim.js';
import { prepareSweep } from '../../src/sweep/prepare.js';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

/** Every registry name a resolved config uses, as KIND:NAME (nested specs: loss extras and bases, optimizer bases). */
function componentsOf(config: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  const walk = (kind: string, v: unknown) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(kind, x));
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.name === 'string') out.add(`${kind}:${o.name}`);
    for (const [k, x] of Object.entries(o)) if (k === 'base' || k === 'extra' || k === 'active' || k === 'passive') walk(kind, x);
  };
  for (const kind of ['dataset', 'model', 'loss', 'optimizer', 'schedule'] as const) walk(kind, config[kind]);
  for (const d of (config.diagnostics as unknown[] | undefined) ?? []) walk('diagnostic', d);
  return out;
}

const files = claimFiles(CLAIMS_DIR);

test('the shipped claims: at least the eleven of the issue, each a valid file named as its claim', () => {
  const names = files.map((f) => basename(f, '.yaml'));
  for (const n of ['sam-label-noise', 'adamw-decoupling', 'grokking-weight-decay', 'grokking-stablemax', 'momo-lr-robustness', 'grams-vs-adam', 'gam-flatness', 'noisy-label-losses', 'focal-calibration', 'long-tail-sam']) {
    assert.ok(names.includes(n), `configs/claims/${n}.yaml`);
  }
  for (const f of files) {
    for (const quick of [false, true]) {
      const c = loadClaim(f, { cwd: CLAIMS_DIR, quick });
      assert.ok(c.spec.budget.quick_minutes <= c.spec.budget.minutes, c.spec.name);
      assert.ok(c.spec.quick, `${c.spec.name} has a quick form for CI`);
    }
  }
});

for (const f of files) {
  const name = basename(f, '.yaml');
  test(`claim ${name}: every trial of the full and quick forms validates, and \`uses\` names every component they use`, { skip: missingComponents(loadClaim(f, { cwd: CLAIMS_DIR }).spec).length > 0 ? 'its components do not exist yet' : false }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'minima-claim-'));
    try {
      for (const quick of [false, true]) {
        const c = loadClaim(f, { cwd: CLAIMS_DIR, quick });
        const file = join(tmp, `${name}-${quick}.yaml`);
        const { set, grid, zip, seeds, base } = c.sweep;
        writeFileSync(file, stringify({ name, base, set, grid, zip, ...(seeds !== undefined ? { seeds } : {}) }));
        const p = await prepareSweep(file, [], { cwd: tmp, runsDir: tmp });
        const used = new Set(p.trials.flatMap((t) => [...componentsOf(t.config)]));
        const declared = new Set(c.spec.uses);
        assert.deepEqual([...used].filter((u) => !declared.has(u)).sort(), [], `${name}: used but not in uses`);
        assert.deepEqual([...declared].filter((u) => !used.has(u)).sort(), [], `${name}: in uses but not used`);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test('configs/sweeps/mnist-lr-free-flatness.yaml is the lr-free-flatness claim\'s full sweep (same base, set, grid and seeds)', () => {
  const c = loadClaim('lr-free-flatness.yaml', { cwd: CLAIMS_DIR });
  const file = resolve(CLAIMS_DIR, '../sweeps/mnist-lr-free-flatness.yaml');
  const sweep = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.equal(resolve(dirname(file), sweep.base as string), c.sweep.base);
  assert.deepEqual(sweep.set, c.spec.sweep.set);
  assert.deepEqual(sweep.grid, c.spec.sweep.grid);
  assert.deepEqual(sweep.seeds, c.spec.sweep.seeds);
});

test('docs/reproduce.md has a row for every shipped claim, and its CI column agrees with the file', () => {
  const doc = readFileSync(resolve(CLAIMS_DIR, '../../docs/reproduce.md'), 'utf8');
  for (const f of files) {
    const spec = loadClaim(f, { cwd: CLAIMS_DIR }).spec;
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${spec.name}\` |`));
    assert.ok(row, `docs/reproduce.md lists ${spec.name}`);
    const ciCell = row.split(' | ').at(-1)!;
    assert.equal(ciCell.startsWith('yes'), spec.ci.skip === undefined, `${spec.name}: CI column "${ciCell}" vs ci.skip`);
  }
});

test('ci.expect "does not hold" needs the measured numbers in ci.why; an unknown ci key is refused', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'minima-claim-ci-'));
  try {
    const base = parse(readFileSync(join(CLAIMS_DIR, 'grams-vs-adam.yaml'), 'utf8')) as Record<string, unknown>;
    base.sweep = { ...(base.sweep as Record<string, unknown>), base: resolve(CLAIMS_DIR, (base.sweep as { base: string }).base) };
    const write = (ci: unknown) => {
      const p = join(tmp, 'grams-vs-adam.yaml');
      writeFileSync(p, stringify({ ...base, ci }));
      return p;
    };
    assert.throws(() => loadClaim(write({ expect: 'does not hold' }), { cwd: tmp }), /needs ci\.why/);
    assert.throws(() => loadClaim(write({ expect: 'holds', skipp: 'typo' }), { cwd: tmp }), /skipp/);
    assert.equal(loadClaim(write({ expect: 'does not hold', why: 'measured' }), { cwd: tmp }).spec.ci.expect, 'does not hold');
    assert.equal(loadClaim(write({ skip: 'too slow' }), { cwd: tmp }).spec.ci.expect, 'holds');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
