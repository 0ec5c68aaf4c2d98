/**
 * `minima data fetch NAME`: downloads a dataset's files from its canonical mirrors into
 * <root>/<name>/, verifies the published checksums, resumes partial downloads (HTTP Range on a
 * .part file), and extracts archives. Idempotent: verified files are never fetched again.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { basename, join, resolve as resolvePath } from 'node:path';
import { gunzipSync } from 'node:zlib';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { ExitCode, InterruptedError, RunnerError, type ExitCodeValue } from '../core/errors.js';
import { suggest } from '../core/suggest.js';
import { readTar } from '../data/files/tar.js';
import { defaultDataRoot } from '../data/data-root.js';
import { SOURCES, type Source, type SourceFile } from '../data/sources.js';
import { writeFileAtomic } from '../run/atomic.js';

export const dataFetchOptions = z
  .object({
    name: z.string().min(1),
    root: z.string().optional().describe('datasets root, relative to the working folder; files go to <root>/<name>/ (default: $MINIMA_DATA_ROOT, else ./datasets)'),
    mirror: z.string().optional().describe('base URL replacing the canonical ones: files come from <mirror>/<name>/<file> (default: $MINIMA_DATA_MIRROR)'),
    force: z.boolean().default(false).describe('download again even when verified files are present'),
    sources: z.record(z.string(), z.custom<Source>()).optional().describe('replaces the built-in source table (tests, private datasets)'),
  })
  .strict();
export type DataFetchOptions = z.input<typeof dataFetchOptions>;

/** A CommandContext fits. */
export interface DataFetchContext {
  readonly stderr: NodeJS.WritableStream;
  /** Working folder (default: the process's). */
  readonly cwd?: string;
  readonly signal?: AbortSignal;
  /** Draw a progress bar (otherwise plain lines). */
  readonly isTTY?: boolean;
}

/** A transfer that stopped midway: its .part is kept and the next run resumes it. */
class PartialDownloadError extends RunnerError {
  constructor(message: string, cause?: unknown) {
    super('DOWNLOAD_FAILED', message, undefined, cause === undefined ? undefined : { cause });
  }
}

async function digest(file: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** null when the file matches its published checksum, else a description of the mismatch. */
async function verify(file: string, expected: SourceFile): Promise<string | null> {
  const algorithm = expected.sha256 ? 'sha256' : 'md5';
  const want = (expected.sha256 ?? expected.md5 ?? '').toLowerCase();
  if (!want) throw new RunnerError('USAGE', `no checksum for ${expected.file} in the source table`);
  const got = await digest(file, algorithm);
  return got === want ? null : `${algorithm} ${got}, expected ${want}`;
}

function progress(ctx: DataFetchContext, label: string, total: number, start: number) {
  if (ctx.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: ctx.stderr, format: `${label} [{bar}] {percentage}% {value}/{total} bytes`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total || 1, start);
    return { update: (v: number) => bar.update(v), stop: () => bar.stop() };
  }
  ctx.stderr.write(`${label}: downloading${total ? ` ${total} bytes` : ''}${start ? ` (resuming at ${start})` : ''}\n`);
  return { update: () => undefined, stop: () => undefined };
}

/** Streams `url` into `part`, continuing from its current size when the server honours Range. */
async function download(url: string, part: string, label: string, ctx: DataFetchContext): Promise<void> {
  const offset = existsSync(part) ? statSync(part).size : 0;
  let res: Response;
  try {
    res = await fetch(url, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  } catch (e) {
    if (ctx.signal?.aborted) throw new InterruptedError('abort');
    throw new RunnerError('DOWNLOAD_FAILED', `${url}: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (res.status === 416 && offset > 0) return; // the .part is already complete; the checksum decides
  if (res.status !== 200 && res.status !== 206) throw new RunnerError('DOWNLOAD_FAILED', `${url}: HTTP ${res.status} ${res.statusText}`);
  const resumed = res.status === 206;
  if (resumed) {
    const range = /bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== offset) throw new RunnerError('DOWNLOAD_FAILED', `${url}: server answered range ${res.headers.get('content-range')} to a request from byte ${offset}`);
  }
  const start = resumed ? offset : 0;
  const length = Number(res.headers.get('content-length') ?? 0);
  const bar = progress(ctx, label, length ? start + length : 0, start);
  const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  let received = start;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      received += chunk.length;
      bar.update(received);
    }
  } catch (e) {
    if (ctx.signal?.aborted) throw new InterruptedError('abort');
    throw new PartialDownloadError(`${url}: interrupted after ${received} bytes (${(e as Error).message}); run the command again to resume`, e);
  } finally {
    bar.stop();
    await new Promise<void>((r) => out.end(r));
  }
  if (length && received !== start + length) {
    throw new PartialDownloadError(`${url}: got ${received} of ${start + length} bytes; run the command again to resume`);
  }
}

async function fetchFile(source: Source, name: string, entry: SourceFile, dir: string, o: DataFetchOptions, ctx: DataFetchContext): Promise<void> {
  const target = join(dir, entry.file);
  const part = `${target}.part`;
  if (existsSync(target)) {
    if (!o.force) {
      const problem = await verify(target, entry);
      if (!problem) {
        ctx.stderr.write(`${name}/${entry.file}: already present, checksum ok\n`);
        return;
      }
      ctx.stderr.write(`${name}/${entry.file}: present but ${problem}; downloading again\n`);
    }
    rmSync(target);
  }
  if (o.force) rmSync(part, { force: true });
  const mirror = o.mirror ?? process.env.MINIMA_DATA_MIRROR;
  const urls = mirror ? [`${mirror.replace(/\/+$/, '')}/${name}/${entry.file}`] : source.bases.map((b) => `${b.replace(/\/+$/, '')}/${entry.file}`);
  let lastError: unknown;
  for (const url of urls) {
    try {
      await download(url, part, `${name}/${entry.file}`, ctx);
      lastError = undefined;
      break;
    } catch (e) {
      // an interrupted transfer keeps its .part for the next run; only HTTP-level failures try the next mirror
      if (e instanceof InterruptedError || e instanceof PartialDownloadError) throw e;
      lastError = e;
      ctx.stderr.write(`${(e as Error).message}\n`);
    }
  }
  if (lastError) throw lastError;
  const problem = await verify(part, entry);
  if (problem) {
    rmSync(part, { force: true });
    throw new RunnerError('CHECKSUM_MISMATCH', `${name}/${entry.file}: downloaded file has ${problem}; it was deleted`);
  }
  renameSync(part, target);
  ctx.stderr.write(`${name}/${entry.file}: ok\n`);
}

function extract(source: Source, name: string, dir: string, force: boolean, ctx: DataFetchContext): void {
  const members = source.extract ?? [];
  if (members.length === 0 || (!force && members.every((m) => existsSync(join(dir, m))))) return;
  for (const entry of source.files) {
    const archive = join(dir, entry.file);
    if (!/\.tar(\.gz)?$|\.tgz$/.test(entry.file)) continue;
    const bytes = readFileSync(archive);
    const tar = readTar(/\.t?gz$/.test(entry.file) ? gunzipSync(bytes) : bytes, archive);
    for (const m of tar) {
      const base = basename(m.name);
      if (!members.includes(base)) continue;
      writeFileAtomic(join(dir, base), m.data);
    }
  }
  const missing = members.filter((m) => !existsSync(join(dir, m)));
  if (missing.length > 0) throw new RunnerError('DATASET_INVALID', `${name}: the archive lacks ${missing.join(', ')}`);
  ctx.stderr.write(`${name}: extracted ${members.length} files\n`);
}

export async function dataFetch(input: DataFetchOptions, ctx: DataFetchContext): Promise<ExitCodeValue> {
  const options = dataFetchOptions.parse(input);
  const table = options.sources ?? SOURCES;
  const source = table[options.name];
  if (!source) {
    const known = Object.keys(table).sort();
    const hint = suggest(options.name, known);
    throw new RunnerError('USAGE', `no downloadable dataset "${options.name}"${hint.length ? ` (did you mean ${hint.map((h) => `"${h}"`).join(' or ')}?)` : ''}; known: ${known.join(', ')}`);
  }
  const cwd = ctx.cwd ?? process.cwd();
  const dir = join(options.root ? resolvePath(cwd, options.root) : defaultDataRoot(cwd), options.name);
  mkdirSync(dir, { recursive: true });
  for (const entry of source.files) await fetchFile(source, options.name, entry, dir, options, ctx);
  extract(source, options.name, dir, options.force ?? false, ctx);
  ctx.stderr.write(`${options.name}: ready in ${dir}\n`);
  return ExitCode.ok;
}
