/**
 * A native BLAS (OpenBLAS, or Accelerate on macOS) loaded at run time through koffi, which ships
 * prebuilt binaries, so `npm install` needs no compiler. Only `cblas_sgemm` is used; its operands
 * are Float32Array views of the WASM heap, which koffi passes as raw pointers without copying.
 * Without a system BLAS, the OpenBLAS that numpy's and scipy's wheels bundle is used when one is
 * found (`pythonWheelBlas`): its symbols carry a `scipy_` prefix and, in numpy 2's ILP64 build,
 * a `64_` suffix with 64-bit integer arguments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface Blas {
  /** The file that loaded, e.g. "libopenblas.so.0". */
  readonly library: string;
  /** In words, e.g. "OpenBLAS 0.3.21 (2 threads)". */
  readonly description: string;
  /** Row-major C[m×n] = op(A)·op(B) + beta·C, with op(X) = Xᵀ when trans*. */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): void;
}

export interface BlasLoad {
  readonly blas: Blas | undefined;
  /** One entry per library tried and why it was not used. */
  readonly tried: readonly string[];
}

/** `off` disables BLAS; a path loads exactly that library; `auto` tries the platform's usual names. */
export type BlasChoice = 'auto' | 'off' | (string & {});

const candidates: Readonly<Record<string, readonly string[]>> = {
  linux: ['libopenblas.so.0', 'libopenblas.so', 'libblas.so.3'],
  darwin: ['/System/Library/Frameworks/Accelerate.framework/Accelerate', 'libopenblas.dylib', '/opt/homebrew/opt/openblas/lib/libopenblas.dylib', '/usr/local/opt/openblas/lib/libopenblas.dylib'],
  win32: ['libopenblas.dll', 'openblas.dll'],
};

/** The platform-specific command that installs OpenBLAS, for the note shown when none loads. */
export function blasInstallHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Accelerate ships with macOS; or `brew install openblas`';
  if (platform === 'win32') return 'put libopenblas.dll (from the OpenBLAS releases) on PATH';
  return '`apt-get install libopenblas0` (Debian/Ubuntu) or `dnf install openblas` (Fedora)';
}

interface KoffiLib { func(signature: string): (...args: unknown[]) => unknown }
interface Koffi { load(path: string): KoffiLib }

const CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112;

const cache = new Map<string, BlasLoad>();

/**
 * log2 of the cycles an idle OpenBLAS thread spins before it sleeps. OpenBLAS's default, 28
 * (~0.1 s), keeps the idle threads spinning through the JS kernels between two products, taking
 * a core from the main thread: on a 2-core machine the quickstart spent ~14 s of system time so.
 * 2^20 cycles (~0.4 ms) keeps them awake across the products of one kernel only (measured on the
 * quickstart: 21 s wall against 24 s at the default and 22–24 s at the minimum, 4). OpenBLAS reads
 * OPENBLAS_THREAD_TIMEOUT once, when it loads; a value the user set is kept.
 */
const OPENBLAS_THREAD_TIMEOUT = '20';

/** Loads a BLAS once per choice; never throws (a missing BLAS only costs speed). */
export function loadBlas(choice: BlasChoice = 'auto', threads?: number): BlasLoad {
  const key = `${choice}:${threads ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = load(choice, threads);
  cache.set(key, result);
  return result;
}

function load(choice: BlasChoice, threads: number | undefined): BlasLoad {
  if (choice === 'off') return { blas: undefined, tried: ['BLAS disabled'] };
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (err) {
    return { blas: undefined, tried: [`koffi does not load: ${(err as Error).message.split('\n')[0]}`] };
  }
  process.env['OPENBLAS_THREAD_TIMEOUT'] ??= OPENBLAS_THREAD_TIMEOUT;
  const names = choice === 'auto' ? candidates[process.platform] ?? [] : [choice];
  const tried: string[] = [];
  const attempt = (name: string): Blas | undefined => {
    let lib: KoffiLib;
    try {
      lib = koffi.load(name);
    } catch {
      tried.push(`${name}: not found`);
      return undefined;
    }
    const api = symbolsOf(lib);
    if (!api) {
      tried.push(`${name}: no cblas_sgemm`);
      return undefined;
    }
    return { library: name, description: describe(lib, api, name, threads), sgemm: bind(api.sgemm) };
  };
  for (const name of names) {
    const blas = attempt(name);
    if (blas) return { blas, tried };
  }
  if (choice === 'auto') {
    const wheels = pythonWheelBlas();
    if (wheels.length === 0) tried.push('no OpenBLAS in a python3 numpy/scipy wheel');
    for (const name of wheels) {
      const blas = attempt(name);
      if (blas) return { blas, tried };
    }
  }
  return { blas: undefined, tried };
}

/** The entry points of one build: plain OpenBLAS/Accelerate, or a scipy-openblas wheel build (prefixed, maybe ILP64). */
interface BlasSymbols {
  readonly sgemm: (...args: unknown[]) => unknown;
  /** Symbol prefix and suffix of openblas_* functions ('' for a plain build). */
  readonly prefix: string;
  readonly suffix: string;
}

function symbolsOf(lib: KoffiLib): BlasSymbols | undefined {
  const forms = [['', '', 'int'], ['scipy_', '', 'int'], ['scipy_', '64_', 'int64_t'], ['', '64_', 'int64_t']] as const;
  for (const [prefix, suffix, int] of forms) {
    const sgemm = optional(lib, `void ${prefix}cblas_sgemm${suffix}(int order, int transA, int transB, ${int} m, ${int} n, ${int} k, float alpha, float *a, ${int} lda, float *b, ${int} ldb, float beta, float *c, ${int} ldc)`);
    if (sgemm) return { sgemm, prefix, suffix };
  }
  return undefined;
}

/**
 * OpenBLAS libraries bundled in python3's numpy or scipy wheels (numpy.libs/libscipy_openblas*.so,
 * scipy_openblas32/64 packages, older numpy's libopenblas*.so), sorted so the choice is the same
 * every run. Asks python3 for its site-packages directories only (no import of numpy: ~30 ms on an
 * idle machine; the timeout is generous because a pyenv shim can take seconds on a loaded one).
 */
export function pythonWheelBlas(): string[] {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return [];
  const script = 'import site, sysconfig; print("\\n".join([*site.getsitepackages(), site.getusersitepackages(), sysconfig.get_paths()["purelib"]]))';
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0 || !r.stdout) return [];
  const ext = process.platform === 'darwin' ? '.dylib' : '.so';
  const found = new Set<string>();
  for (const site of [...new Set(r.stdout.trim().split('\n'))]) {
    for (const dir of ['numpy.libs', 'scipy.libs', 'scipy_openblas32/lib', 'scipy_openblas64/lib', 'numpy/.dylibs', 'scipy/.dylibs']) {
      const at = join(site, dir);
      if (!existsSync(at)) continue;
      for (const f of readdirSync(at).sort()) if (/openblas/i.test(f) && f.includes(ext)) found.add(join(at, f));
    }
  }
  return [...found];
}

function optional(lib: KoffiLib, signature: string): ((...args: unknown[]) => unknown) | undefined {
  try {
    return lib.func(signature);
  } catch {
    return undefined;
  }
}

function describe(lib: KoffiLib, api: BlasSymbols, name: string, threads: number | undefined): string {
  const fn = (base: string, ret: string, params: string): ((...args: unknown[]) => unknown) | undefined =>
    optional(lib, `${ret} ${api.prefix}${base}${api.suffix}(${params})`);
  const config = fn('openblas_get_config', 'const char *', 'void');
  if (!config) return name.includes('Accelerate') ? 'Accelerate' : `BLAS (${name})`;
  if (threads !== undefined) fn('openblas_set_num_threads', 'void', 'int n')?.(threads);
  const version = /OpenBLAS\s+([\d.]+)/.exec(String(config()))?.[1];
  const count = fn('openblas_get_num_threads', 'int', 'void')?.() as number | undefined;
  // a wheel's copy is named by its file, so meta.json says which one ran
  const detail = [count ? `${count} thread${count === 1 ? '' : 's'}` : '', api.prefix ? name.split('/').slice(-2).join('/') : ''].filter(Boolean).join('; ');
  return `OpenBLAS${version ? ` ${version}` : ''}${detail ? ` (${detail})` : ''}`;
}

function bind(sgemm: (...args: unknown[]) => unknown): Blas['sgemm'] {
  return (transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc) => {
    sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      m, n, k, 1, a, lda, b, ldb, beta, c, ldc);
  };
}
