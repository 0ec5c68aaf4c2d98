/** The experiment files shipped in configs/: not the sweep files (configs/sweeps/) nor the paper claims (configs/claims/*.yaml), which have formats of their own. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export function shippedExperiments(dir = join(repoRoot, 'configs')): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'sweeps' ? [] : shippedExperiments(p);
    const claim = dir === join(repoRoot, 'configs', 'claims');
    return /\.ya?ml$/.test(n) && !claim ? [p] : [];
  });
}
