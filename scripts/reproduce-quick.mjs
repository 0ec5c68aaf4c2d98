#!/usr/bin/env node
// `npm run test:reproduce [-- NAME ...]`: the --quick form of every shipped claim whose components
// exist (minima reproduce --list) and that CI runs (no `ci.skip`: too slow for CI), each through the
// built CLI into a temporary runs folder, two trials at a time. One line per claim; exit 1 when a
// claim's verdict is not the one its file records (`ci.expect`: holds, exit 0, unless measured not
// to hold at this scale, exit 4) or its trials fail (exit 6). CI runs this (.ci/run).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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
  if (!claim.ready || claim.ci.skip) {
    console.log(`skip ${claim.name}: ${claim.ready ? claim.ci.skip : `missing ${claim.missing.join(', ')}`}`);
    continue;
  }
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, 'reproduce', claim.name, '--quick', '--workers', '2', '--runs-dir', runsDir], { cwd: root, encoding: 'utf8' });
  ran++;
  const expected = claim.ci.expect === 'holds' ? 0 : 4;
  const ok = r.status === expected;
  if (!ok) failed++;
  const verdict = r.status === 0 ? 'holds' : r.status === 4 ? 'does not hold' : `FAILED (exit ${r.status})`;
  const recorded = expected === 4 ? ` (recorded: ${r.status === 4 ? 'as measured' : 'expected "does not hold"'})` : '';
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${claim.name} --quick: ${verdict}${recorded} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  if (!ok || expected === 4) process.stdout.write(r.stderr.split('\n').filter((l) => /[✓✗]|minima:|did not complete/.test(l)).map((l) => `       ${l}\n`).join(''));
}
console.log(`results in ${runsDir}`);
console.log(`${ran - failed} as recorded, ${failed} failed`);
process.exit(failed > 0 || ran === 0 ? 1 : 0);
