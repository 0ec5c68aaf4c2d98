#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner through tsx (Node 20 has no TS stripping).
// Usage: node scripts/test.mjs [path-filter ...]   e.g. `npm test -- optim` runs test files whose path contains "optim".
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'support' || name === 'fixtures' ? [] : walk(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const suites = process.env.MINIMA_TEST_SUITES ? process.env.MINIMA_TEST_SUITES.split(',') : ['test'];
const files = suites
  .flatMap((s) => walk(join(root, s)))
  .filter((f) => filters.length === 0 || filters.some((q) => relative(root, f).includes(q)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// End-to-end tests spawn bin/minima.js, which runs dist/: build it from the current sources first.
if (!process.env.MINIMA_TEST_NO_BUILD) {
  const b = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  if (b.status !== 0) {
    console.error('build failed');
    process.exit(b.status ?? 1);
  }
}
// The torture suite is seeded: one seed for every file of the run, printed so a failure can be replayed.
const seed = process.env.MINIMA_TEST_TORTURE === '1' ? process.env.MINIMA_TORTURE_SEED ?? String(Date.now() % 1_000_000_007) : undefined;
if (seed !== undefined) console.error(`torture seed ${seed} (replay with MINIMA_TORTURE_SEED=${seed} npm run test:torture)`);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...flags, ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, MINIMA_TEST: '1', ...(seed !== undefined ? { MINIMA_TORTURE_SEED: seed } : {}) },
});
process.exit(r.status ?? 1);
