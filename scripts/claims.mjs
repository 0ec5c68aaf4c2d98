#!/usr/bin/env node
// `npm run test:claims [-- filter ...] [--runs-dir DIR]`: runs every claim check shipped under
// configs/claims/. Each claim config's header comment holds the exact command lines that check its
// paper's claim (`npx minima run configs/claims/<topic>/<file>.yaml --expect "…"`, `\` continues a
// line); this script collects them, runs each once with the built CLI, and prints one line per check
// and a closing `N passed, N failed`. Exit 1 when any check fails. Minutes per claim on 2 cores.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs-dir');
const runsDir = runsAt >= 0 ? args[runsAt + 1] : mkdtempSync(join(tmpdir(), 'minima-claims-'));
const filters = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.yaml') ? [p] : [];
  });
}

/** Splits a command line into words, honouring double quotes. */
function words(line) {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** The `npx minima run …` commands in a file's leading comment block, continuations joined. */
function commandsOf(file) {
  const header = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('#')) break;
    header.push(line.replace(/^#\s?/, ''));
  }
  const joined = header.join('\n').replace(/\\\n\s*/g, ' ');
  return joined.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('npx minima run configs/claims/'));
}

const checks = new Map();
for (const file of walk(join(root, 'configs', 'claims')).sort()) {
  for (const cmd of commandsOf(file)) {
    const [, , , config, ...rest] = words(cmd);
    if (filters.length > 0 && !filters.some((f) => config.includes(f))) continue;
    checks.set(`${config} ${rest.join(' ')}`, { config, rest });
  }
}
if (checks.size === 0) {
  console.error('no claim checks matched');
  process.exit(1);
}

let passed = 0;
let failed = 0;
for (const { config, rest } of checks.values()) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(root, 'bin', 'minima.js'), 'run', config, '--runs-dir', runsDir, '-q', ...rest], { cwd: root, encoding: 'utf8' });
  const s = ((Date.now() - t0) / 1000).toFixed(0);
  if (r.status === 0) passed++;
  else failed++;
  console.log(`${r.status === 0 ? 'ok  ' : 'FAIL'} ${config} ${rest.join(' ')} (${s} s, exit ${r.status})`);
  if (r.status !== 0) process.stdout.write(r.stderr.split('\n').filter((l) => /FAIL|error|minima:/.test(l)).map((l) => `       ${l}\n`).join(''));
}
console.log(`runs in ${relative(root, runsDir) || runsDir}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
