/**
 * `minima serve`'s server without a browser: the JSON API over real run folders, read-only, only
 * files under the served folder (`..`, encoded `..`, absolute paths and symlinks out are refused),
 * a foreign Host header refused, and a 100k-row metrics.jsonl sent downsampled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../src/report/server.js';
import { distBuilt } from '../support/cli.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { fixtureRuns } from './support/fixture-runs.js';

const skip = distBuilt ? false : 'dist/ is missing: run `npm run build`';

/** A raw request: the path goes out exactly as written (no client-side normalisation of `..`). */
function raw(port: number, path: string, o: { method?: string; host?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { host: o.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serve: API over real runs, read-only, traversal and foreign hosts refused', { skip, timeout: 300_000 }, async () => {
  const f = fixtureRuns();
  await withTmpDir(async (tmp) => {
    writeFileSync(join(tmp, 'secret.txt'), 'secret');
    const leak = join(f.runsDir, 'single', 'leak.txt');
    try { symlinkSync(join(tmp, 'secret.txt'), leak); } catch { /* made by an earlier run of this test */ }
    const { server, url } = await startServer({ root: f.runsDir, host: '127.0.0.1', port: 0 });
    const port = Number(new URL(url).port);
    try {
      const home = await raw(port, '/');
      assert.equal(home.status, 200);
      assert.match(home.body, /<script src="\/assets\/vega\.min\.js">/);
      assert.equal((await raw(port, '/assets/vega-lite.min.js')).status, 200);
      const list = JSON.parse((await raw(port, '/api/runs')).body) as { total: number; columns: string[]; runs: { rel: string; status: string }[]; sweeps: { rel: string; params: string[] }[] };
      assert.equal(list.total, 9);
      assert.ok(list.columns.includes('optimizer.lr'));
      assert.deepEqual(list.sweeps.map((s) => [s.rel, s.params]), [['grid', ['optimizer.lr', 'optimizer.name']]]);
      const filtered = JSON.parse((await raw(port, `/api/runs?where=${encodeURIComponent('optimizer.name==adamw; optimizer.lr>0.05')}`)).body) as { runs: unknown[] };
      assert.equal(filtered.runs.length, 2);
      assert.equal((await raw(port, '/api/runs?where=bad')).status, 400);
      const two = list.runs.filter((r) => r.rel.startsWith('grid/')).slice(0, 2).map((r) => `run=${encodeURIComponent(r.rel)}`).join('&');
      const metrics = JSON.parse((await raw(port, `/api/metrics?${two}`)).body) as { metrics: { id: string }[] };
      assert.ok(metrics.metrics.some((m) => m.id === 'eval:test.accuracy'));
      const chart = JSON.parse((await raw(port, `/api/chart?${two}&metric=test.accuracy&x=epoch`)).body) as { spec: { layer: { encoding: { x: { field: string } } }[] }; rows: number };
      assert.ok(chart.rows > 0);
      assert.equal(chart.spec.layer[0]!.encoding.x.field, 'epoch');
      const run = JSON.parse((await raw(port, '/api/run?path=single')).body) as { config: string; checkpoints: string[]; meta: { backend: { name: string } } };
      assert.match(run.config, /hidden:\n\s+- 8/);
      assert.equal(run.meta.backend.name, 'cpu');
      const sweep = JSON.parse((await raw(port, '/api/sweep?path=grid')).body) as { figures: { kind: string }[] };
      assert.deepEqual(sweep.figures.map((x) => x.kind), ['sweep', 'sweep', 'heatmap']);
      assert.equal((await raw(port, '/files/single/config.yaml')).status, 200);
      assert.match((await raw(port, '/files/single/')).body, /"entries":\[.*"config\.yaml"/);

      for (const bad of ['/files/../../etc/passwd', '/files/%2e%2e/%2e%2e/etc/passwd', '/files/..%2f..%2fetc%2fpasswd', '/files/%252e%252e/secret.txt', '/files//etc/passwd', '/files/%2fetc%2fpasswd',
        '/files/single/leak.txt', '/files/..%5c..%5cetc%5cpasswd', '/../etc/passwd', '/assets/../../package.json', `/api/run?path=${encodeURIComponent('../../etc')}`, '/api/run?path=%2Fetc']) {
        const r = await raw(port, bad);
        assert.ok(r.status === 403 || r.status === 404, `${bad}: ${r.status}`);
        assert.doesNotMatch(r.body, /root:|secret/, bad);
      }
      assert.equal((await raw(port, '/files/single/leak.txt')).status, 403, 'a symlink out of the folder');
      assert.equal((await raw(port, '/files/%2e%2e/secret.txt')).status, 403);
      assert.equal((await raw(port, '/files/nope')).status, 404);
      assert.equal((await raw(port, '/api/runs', { method: 'POST' })).status, 405);
      assert.equal((await raw(port, '/api/runs', { method: 'DELETE' })).status, 405);
      assert.equal((await raw(port, '/api/runs', { host: 'evil.example:80' })).status, 403, 'DNS rebinding');
      assert.equal((await raw(port, '/api/runs', { host: `localhost:${port}` })).status, 200);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});

test('serve: a 100k-row metrics.jsonl is sent downsampled, with its extremes', { timeout: 120_000 }, async () => {
  await withTmpDir(async (tmp) => {
    const run = join(tmp, 'runs', 'big');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'status'), 'running\n');
    writeFileSync(join(run, 'config.yaml'), 'name: big\nseed: 0\n');
    const lines: string[] = [];
    for (let i = 1; i <= 100_000; i++) lines.push(JSON.stringify({ step: i, epoch: 0, split: 'train', loss: i === 50_000 ? 99 : 1 / i, time_s: i / 1000 }));
    writeFileSync(join(run, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    const { server, url } = await startServer({ root: join(tmp, 'runs'), host: '127.0.0.1', port: 0, maxPoints: 1500 });
    const port = Number(new URL(url).port);
    try {
      const t0 = performance.now();
      const c = JSON.parse((await raw(port, '/api/chart?run=big&metric=train.loss')).body) as { rows: number; running: boolean; spec: { datasets: { rows: { value: number; step: number }[] } } };
      const ms = performance.now() - t0;
      assert.equal(c.rows, 100_000);
      assert.equal(c.running, true);
      const pts = c.spec.datasets.rows;
      assert.ok(pts.length <= 1500, String(pts.length));
      assert.ok(pts.some((p) => p.value === 99 && p.step === 50_000), 'the spike is kept, exact');
      assert.ok(ms < 10_000, `${ms} ms`);
      // a new row appended reaches the API (the file is tailed, not re-read)
      writeFileSync(join(run, 'metrics.jsonl'), `${JSON.stringify({ step: 100_001, epoch: 0, split: 'train', loss: 123, time_s: 101 })}\n`, { flag: 'a' });
      const c2 = JSON.parse((await raw(port, '/api/chart?run=big&metric=train.loss')).body) as { rows: number; spec: { datasets: { rows: { value: number }[] } } };
      assert.equal(c2.rows, 100_001);
      assert.equal(c2.spec.datasets.rows.at(-1)!.value, 123);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
