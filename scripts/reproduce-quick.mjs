#!/usr/bin/env node
// `npm run test:reproduce [-- NAME ...]`: the --quick form of every shipped claim whose components
// exist (minima reproduce --list) and that CI runs (no `ci.skip` in its file), each through the
// built CLI into a temporary runs folder. One line per claim; exit 1 when any claim does not hold
// (exit 4) or its trials fail (exit 6). CI runs this (.ci/run); minutes on 2 cores.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'minima.js');
const only = process.argv.slice(2);
const runsDir = mkdtempSync(join(tmpdir(), 'minima-reproduce-'));
const list = spawnSync(process.execPath, [bin, 'reproduce', '--list', '--json'], { cwd: root, encoding: 'utf8' });
if (list.status !== 0) {
  process.stderr.write(list.stderr);
  process.exit(1);
}
let failed = 0;
let ran = 0;
for (const claim of JSON.parse(list.stdout)) {
  if (only.length > 0 && !only.includes(claim.name)) continue;
  const skip = parse(readFileSync(join(root, 'configs', 'claims', `${claim.name}.yaml`), 'utf8')).ci?.skip;
  if (!claim.ready || skip) {
    console.log(`skip ${claim.name}: ${claim.ready ? skip : `missing ${claim.missing.join(', ')}`}`);
    continue;
  }
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, 'reproduce', claim.name, '--quick', '--runs-dir', runsDir], { cwd: root, encoding: 'utf8' });
  ran++;
  if (r.status !== 0) failed++;
  const verdict = r.status === 0 ? 'holds' : r.status === 4 ? 'DOES NOT HOLD' : `FAILED (exit ${r.status})`;
  console.log(`${r.status === 0 ? 'ok  ' : 'FAIL'} ${claim.name} --quick: ${verdict} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  if (r.status !== 0) process.stdout.write(r.stderr.split('\n').filter((l) => /[✓✗]|minima:|did not complete/.test(l)).map((l) => `       ${l}\n`).join(''));
}
console.log(`results in ${runsDir}`);
console.log(`${ran - failed} held, ${failed} failed`);
process.exit(failed > 0 || ran === 0 ? 1 : 0);
