import '../support/tf.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { dataFetch } from '../../src/commands/data-fetch.js';
import { RunnerError } from '../../src/core/errors.js';
import type { Source } from '../../src/data/sources.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { tarBytes } from '../data/make-fixtures.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** Serves `files` under /<name>/<file> with Range support; `cutAfter` drops the connection mid-body once. */
async function serve(files: Record<string, Uint8Array>, cutAfter?: number) {
  const requests: { url: string; range: string | undefined }[] = [];
  let cut = cutAfter;
  const server: Server = createServer((req: IncomingMessage, res) => {
    requests.push({ url: req.url ?? '', range: req.headers.range });
    const body = files[req.url ?? ''];
    if (!body) { res.writeHead(404).end(); return; }
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const from = m ? Number(m[1]) : 0;
    if (from >= body.length) { res.writeHead(416).end(); return; }
    const headers = { 'content-length': String(body.length - from), ...(m ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) };
    res.writeHead(m ? 206 : 200, headers);
    if (cut !== undefined) {
      const n = cut;
      cut = undefined;
      res.write(body.subarray(from, from + n), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.end(body.subarray(from));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

function ctx() {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c) => { text += String(c); });
  return { stderr, isTTY: false, log: () => text };
}

const payload = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251);
const small = new TextEncoder().encode('labels\n');
const table = (files: Source['files'], extract?: string[]): Record<string, Source> => ({
  tiny: { description: 'test', homepage: '-', licence: '-', bases: ['http://127.0.0.1:9/unused/'], files, ...(extract ? { extract } : {}) },
});
const tinyTable = table([{ file: 'a.bin', sha256: sha256(payload) }, { file: 'b.txt', md5: md5(small) }]);

test('data fetch: full download verifies checksums and leaves no .part', async () => {
  const s = await serve({ '/tiny/a.bin': payload, '/tiny/b.txt': small });
  try {
    await withTmpDir(async (root) => {
      const c = ctx();
      await dataFetch({ name: 'tiny', root, mirror: s.url, sources: tinyTable }, c);
      assert.deepEqual(new Uint8Array(readFileSync(join(root, 'tiny', 'a.bin'))), payload);
      assert.equal(readFileSync(join(root, 'tiny', 'b.txt'), 'utf8'), 'labels\n');
      assert.ok(!existsSync(join(root, 'tiny', 'a.bin.part')));
      assert.match(c.log(), /tiny\/a\.bin: ok/);
      assert.deepEqual(s.requests.map((r) => r.url), ['/tiny/a.bin', '/tiny/b.txt']);
    });
  } finally { await s.close(); }
});

test('data fetch: an interrupted download resumes from the .part with a Range request', async () => {
  const s = await serve({ '/tiny/a.bin': payload, '/tiny/b.txt': small }, 20_000);
  try {
    await withTmpDir(async (root) => {
      await assert.rejects(dataFetch({ name: 'tiny', root, mirror: s.url, sources: tinyTable }, ctx()), (e: unknown) => e instanceof RunnerError && e.code === 'DOWNLOAD_FAILED' && /resume/.test(e.message));
      const part = join(root, 'tiny', 'a.bin.part');
      const have = statSync(part).size;
      assert.ok(have > 0 && have < payload.length, `partial ${have}`);
      await dataFetch({ name: 'tiny', root, mirror: s.url, sources: tinyTable }, ctx());
      assert.equal(s.requests[1]!.range, `bytes=${have}-`);
      assert.deepEqual(new Uint8Array(readFileSync(join(root, 'tiny', 'a.bin'))), payload);
      assert.ok(!existsSync(part));
    });
  } finally { await s.close(); }
});

test('data fetch: a checksum mismatch is an error and the file is not kept', async () => {
  const s = await serve({ '/tiny/a.bin': payload });
  try {
    await withTmpDir(async (root) => {
      const wrong = table([{ file: 'a.bin', sha256: sha256(small) }]);
      await assert.rejects(dataFetch({ name: 'tiny', root, mirror: s.url, sources: wrong }, ctx()), (e: unknown) => e instanceof RunnerError && e.code === 'CHECKSUM_MISMATCH' && e.message.includes(sha256(small)));
      assert.ok(!existsSync(join(root, 'tiny', 'a.bin')));
      assert.ok(!existsSync(join(root, 'tiny', 'a.bin.part')));
    });
  } finally { await s.close(); }
});

test('data fetch: verified files already present are not downloaded again; a damaged one is', async () => {
  const s = await serve({ '/tiny/a.bin': payload, '/tiny/b.txt': small });
  try {
    await withTmpDir(async (root) => {
      await dataFetch({ name: 'tiny', root, mirror: s.url, sources: tinyTable }, ctx());
      const before = s.requests.length;
      const c = ctx();
      await dataFetch({ name: 'tiny', root, mirror: s.url, sources: tinyTable }, c);
      assert.equal(s.requests.length, before);
      assert.match(c.log(), /already present, checksum ok/);
      writeFileSync(join(root, 'tiny', 'b.txt'), 'tampered');
      await dataFetch({ name: 'tiny', root, mirror: s.url, sources: tinyTable }, ctx());
      assert.deepEqual(s.requests.slice(before).map((r) => r.url), ['/tiny/b.txt']);
      assert.equal(readFileSync(join(root, 'tiny', 'b.txt'), 'utf8'), 'labels\n');
    });
  } finally { await s.close(); }
});

test('data fetch: archives are extracted by member name; unknown names suggest', async () => {
  const archive = gzipSync(tarBytes({ 'cifar-10-batches-bin/test_batch.bin': payload, 'cifar-10-batches-bin/readme.html': small }));
  const s = await serve({ '/tiny/t.tar.gz': archive });
  try {
    await withTmpDir(async (root) => {
      await dataFetch({ name: 'tiny', root, mirror: s.url, sources: table([{ file: 't.tar.gz', md5: md5(archive) }], ['test_batch.bin']) }, ctx());
      assert.deepEqual(new Uint8Array(readFileSync(join(root, 'tiny', 'test_batch.bin'))), payload);
      assert.ok(!existsSync(join(root, 'tiny', 'readme.html')));
    });
    await assert.rejects(dataFetch({ name: 'cifar', root: '/nonexistent' }, ctx()), /did you mean "cifar10"/);
  } finally { await s.close(); }
});
