/**
 * Real run folders for the report tests, made by the built CLI: a small sweep (2 learning rates ×
 * 2 optimizers × 2 seeds on tiny moons, one epoch, evaluated every 8 steps) and one standalone run
 * with a command-line override. Made once per test process in a temp folder (removed at exit
 * unless MINIMA_KEEP_TMP is set).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, repoRoot } from '../../support/cli.js';

export interface FixtureRuns {
  readonly root: string;
  readonly runsDir: string;
  readonly sweepDir: string;
  readonly single: string;
}

let made: FixtureRuns | undefined;

export function minimaSync(args: readonly string[], cwd: string) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 300_000 });
}

export function fixtureRuns(): FixtureRuns {
  if (made) return made;
  const root = mkdtempSync(join(tmpdir(), 'minima-report-'));
  if (!process.env.MINIMA_KEEP_TMP) process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  const runsDir = join(root, 'runs');
  const sweepFile = join(root, 'grid.yaml');
  writeFileSync(sweepFile, [
    'name: grid',
    `base: ${join(repoRoot, 'configs/test/tiny-moons.yaml')}`,
    'set:',
    '  train.epochs: 1',
    '  train.eval_every: 8',
    '  train.log_every: 4',
    'grid:',
    '  optimizer.lr: [0.01, 0.1]',
    '  optimizer.name: [sgd, adamw]',
    'seeds: 2',
    'workers: 2',
    '',
  ].join('\n'));
  const s = minimaSync(['sweep', sweepFile, '--runs-dir', runsDir], root);
  if (s.status !== 0) throw new Error(`fixture sweep failed (${s.status}): ${s.stderr}${s.stdout}`);
  const single = join(runsDir, 'single');
  const r = minimaSync(['run', join(repoRoot, 'configs/test/tiny-moons.yaml'), 'model.hidden=[8]', 'train.epochs=1', '--run-dir', single, '--quiet'], root);
  if (r.status !== 0) throw new Error(`fixture run failed (${r.status}): ${r.stderr}`);
  made = { root, runsDir, sweepDir: join(runsDir, 'grid'), single };
  return made;
}
