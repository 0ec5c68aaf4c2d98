#!/usr/bin/env node
// `npm run bench [-- --full --models=resnet20 --backends --quick]`: runs bench/bench.ts through tsx (Node 20 has no TS stripping).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/bench.ts', ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
