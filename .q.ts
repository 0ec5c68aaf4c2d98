import { writeCifar10 } from './test/data/make-fixtures.js';
import { buildDataset } from './src/data/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
const root = mkdtempSync('/tmp/minima-size-');
writeCifar10(`${root}/cifar10`, 10000, 10000);
const sleep = () => new Promise((r) => setTimeout(r, 200));
global.gc!(); await sleep(); global.gc!();
const m0 = process.memoryUsage();
const t0 = performance.now();
const ds = await buildDataset({ name: 'cifar10' }, { seed: 0, root, configDir: root });
const t1 = performance.now();
for (let i = 0; i < 3; i++) { global.gc!(); await sleep(); }
const m1 = process.memoryUsage();
console.log('load ms', Math.round(t1 - t0), 'arrayBuffers MB +', Math.round((m1.arrayBuffers - m0.arrayBuffers) / 1e6), ds.sizes);
rmSync(root, { recursive: true });
