/**
 * Checkpoints: `checkpoints/step-NNNNNN/` holding `state.json` (counters, RNG and data cursor, a
 * tensor index), `tensors.bin` (raw little-endian tensor data) and `manifest.json` (the format
 * version, and the size and sha256 of the two other files). The folder is written under a temp
 * name and renamed, so a checkpoint folder that exists is complete; the manifest tells a damaged
 * one (a flipped byte, an edited or missing file) from an intact one before anything is restored.
 * Version 1 checkpoints (older minima: no manifest) are checked for structure only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../backends/tf.js';
import { RunnerError, StorageError, storageErrorOf } from '../core/errors.js';
import { commitDir, makeDir, onDisk, removeDir, removeStaleTemps, tmpName, writeSynced } from './atomic.js';

export interface TensorRecord {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

/** The format this version writes; 1 is read (structure checked, no checksums). */
export const CHECKPOINT_VERSION = 2;
const FORMATS: Readonly<Record<string, number>> = { 'minima-checkpoint-1': 1, 'minima-checkpoint-2': 2 };

export interface CheckpointFile<S> {
  readonly format: string;
  readonly step: number;
  readonly state: S;
  readonly tensors: readonly TensorRecord[];
}

/** manifest.json: what the other files of the folder must be. */
export interface Manifest {
  readonly format: 'minima-checkpoint';
  readonly version: number;
  readonly step: number;
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
}

const CHECKED_FILES = ['state.json', 'tensors.bin'] as const;

export const checkpointDirName = (step: number): string => `step-${String(step).padStart(6, '0')}`;

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Writes tensors (read asynchronously) and a JSON state; returns the checkpoint folder. */
export async function saveCheckpoint<S>(root: string, step: number, state: S, tensors: tf.NamedTensorMap): Promise<string> {
  const records: TensorRecord[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name]!;
    const dtype = t.dtype === 'int32' || t.dtype === 'bool' ? 'int32' : 'float32';
    const data = dtype === 'int32' ? Int32Array.from(await t.data()) : Float32Array.from((await t.data()) as Float32Array);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    records.push({ name, dtype, shape: t.shape, offset, length: data.length });
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  makeDir(root);
  const final = join(root, checkpointDirName(step));
  const tmp = tmpName(final);
  rmSync(tmp, { recursive: true, force: true }); // left by an earlier process with the same host and pid
  try {
    onDisk(tmp, () => mkdirSync(tmp));
    const bin = Buffer.concat(chunks);
    const file: CheckpointFile<S> = { format: `minima-checkpoint-${CHECKPOINT_VERSION}`, step, state, tensors: records };
    const json = Buffer.from(`${JSON.stringify(file, null, 1)}\n`, 'utf8');
    writeSynced(join(tmp, 'tensors.bin'), bin);
    writeSynced(join(tmp, 'state.json'), json);
    const manifest: Manifest = {
      format: 'minima-checkpoint',
      version: CHECKPOINT_VERSION,
      step,
      files: { 'state.json': { bytes: json.byteLength, sha256: sha256(json) }, 'tensors.bin': { bytes: bin.byteLength, sha256: sha256(bin) } },
    };
    writeSynced(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
    commitDir(tmp, final);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true }); // a full disk must not keep a half-written checkpoint
    const refused = storageErrorOf(err, final);
    throw refused ? new StorageError(refused.errno, final, { cause: err }) : err; // named by the folder it was to be, not the temp one
  }
  return final;
}

/** Every `step-NNNNNN` folder, oldest first, intact or not (see `verifyCheckpoint`). */
export function listCheckpoints(root: string): { step: number; dir: string }[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => /^step-\d+$/.test(n) && statSync(join(root, n)).isDirectory())
    .map((n) => ({ step: Number(n.slice(5)), dir: join(root, n) }))
    .sort((a, b) => a.step - b.step);
}

/**
 * Removes temp folders of interrupted saves and removals, then every checkpoint older than the
 * newest `keep` complete ones (never `protect`), incomplete leftovers included; each goes atomically
 * (renamed away, then deleted), so a kill mid-way never leaves a partial `step-NNNNNN/` behind.
 */
export function pruneCheckpoints(root: string, keep: number, protect?: string): void {
  if (!existsSync(root)) return;
  removeStaleTemps(root);
  const all = listCheckpoints(root);
  const kept = all.filter((c) => CHECKED_FILES.every((f) => existsSync(join(c.dir, f)))).slice(-Math.max(1, keep));
  if (kept.length === 0) return;
  const oldestKept = kept[0]!.step;
  for (const c of all) if (c.step < oldestKept && c.dir !== protect) removeDir(c.dir);
}

/** Checks the run's own state object (the loop's counters); returns the problem, or undefined. */
export type StateCheck = (state: unknown) => string | undefined;

export type CheckpointCheck =
  | { readonly ok: true; readonly version: number; readonly step: number; readonly warning?: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Whether the checkpoint folder `dir` can be restored, without restoring it: every file present,
 * sizes and sha256 as its manifest says (version 2), the tensor index consistent with tensors.bin,
 * the state object well formed (`checkState`). Version 1 (no manifest) also refuses NaN/Inf values,
 * the likeliest sign of overwritten bytes that no checksum can reveal.
 */
export function verifyCheckpoint(dir: string, checkState?: StateCheck): CheckpointCheck {
  try {
    return inspect(dir, checkState).check;
  } catch (err) {
    return { ok: false, problem: `cannot be read (${(err as Error).message})` };
  }
}

function inspect(dir: string, checkState?: StateCheck): { check: CheckpointCheck; file?: CheckpointFile<unknown>; bin?: Buffer } {
  const bad = (problem: string) => ({ check: { ok: false as const, problem } });
  for (const f of CHECKED_FILES) if (!existsSync(join(dir, f))) return bad(`${f} is missing`);
  const jsonBytes = readFileSync(join(dir, 'state.json'));
  const bin = readFileSync(join(dir, 'tensors.bin'));
  const hasManifest = existsSync(join(dir, 'manifest.json'));
  let version = 1;
  if (hasManifest) {
    let m: Partial<Manifest>;
    try {
      m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Partial<Manifest>;
    } catch {
      return bad('manifest.json is not valid JSON');
    }
    if (m?.format !== 'minima-checkpoint' || typeof m.version !== 'number' || typeof m.files !== 'object' || m.files === null) return bad('manifest.json is not a checkpoint manifest');
    if (m.version > CHECKPOINT_VERSION) return bad(`format version ${m.version} is newer than this minima reads (${CHECKPOINT_VERSION}); upgrade minima`);
    version = m.version;
    for (const [f, data] of [['state.json', jsonBytes], ['tensors.bin', bin]] as const) {
      const want = m.files[f];
      if (!want || typeof want.sha256 !== 'string') return bad(`manifest.json has no checksum for ${f}`);
      if (data.byteLength !== want.bytes) return bad(`${f} has ${data.byteLength} bytes, the manifest says ${want.bytes}`);
      if (sha256(data) !== want.sha256) return bad(`${f} does not match its sha256 checksum`);
    }
  }
  let file: CheckpointFile<unknown>;
  try {
    file = JSON.parse(jsonBytes.toString('utf8')) as CheckpointFile<unknown>;
  } catch {
    return bad('state.json is not valid JSON');
  }
  if (typeof file !== 'object' || file === null) return bad('state.json is not an object');
  const fileVersion = FORMATS[String(file.format)];
  if (fileVersion === undefined) return bad(`state.json has an unknown format ${JSON.stringify(file.format)}`);
  if (fileVersion !== version) return bad(fileVersion > 1 ? 'manifest.json is missing' : `state.json says format ${fileVersion}, the manifest ${version}`);
  const folderStep = /step-(\d+)$/.exec(dir)?.[1];
  if (!Number.isInteger(file.step) || (folderStep !== undefined && file.step !== Number(folderStep))) return bad(`state.json has step ${JSON.stringify(file.step)}, the folder's name another`);
  const index = tensorIndexProblem(file.tensors, bin.byteLength);
  if (index) return bad(`state.json: ${index}`);
  if (typeof file.state !== 'object' || file.state === null) return bad('state.json has no state object');
  const stateProblem = checkState?.(file.state);
  if (stateProblem) return bad(`state.json: ${stateProblem}`);
  if (version === 1) {
    const nonFinite = nonFiniteTensor(file.tensors, bin);
    if (nonFinite) return bad(`tensors.bin: tensor ${nonFinite} holds NaN or Infinity`);
  }
  const warning = version === 1 ? 'a format-1 checkpoint carries no checksums: its structure was checked, its bytes cannot be' : undefined;
  return { check: { ok: true, version, step: file.step, ...(warning ? { warning } : {}) }, file, bin };
}

function tensorIndexProblem(tensors: unknown, size: number): string | undefined {
  if (!Array.isArray(tensors)) return 'no tensor index';
  let end = 0;
  for (const r of tensors as Partial<TensorRecord>[]) {
    const name = typeof r?.name === 'string' ? r.name : undefined;
    if (!name) return 'a tensor record has no name';
    if (r.dtype !== 'float32' && r.dtype !== 'int32') return `tensor ${name} has dtype ${JSON.stringify(r.dtype)}`;
    if (!Array.isArray(r.shape) || !r.shape.every((d) => Number.isInteger(d) && d >= 0)) return `tensor ${name} has a malformed shape`;
    const length = r.shape.reduce((a: number, b: number) => a * b, 1);
    if (r.length !== length || !Number.isInteger(r.offset) || r.offset! < 0 || r.offset! % 4 !== 0) return `tensor ${name} has a malformed offset or length`;
    end = Math.max(end, r.offset! + length * 4);
  }
  const expected = (tensors as TensorRecord[]).reduce((s, r) => s + r.length * 4, 0);
  if (end > size || expected !== size) return `tensors.bin has ${size} bytes, the index describes ${expected}`;
  return undefined;
}

function nonFiniteTensor(tensors: readonly TensorRecord[], bin: Buffer): string | undefined {
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  for (const r of tensors) {
    if (r.dtype !== 'float32') continue;
    const data = new Float32Array(buffer, r.offset, r.length);
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return r.name;
  }
  return undefined;
}

export interface LoadedCheckpoint<S> {
  readonly step: number;
  readonly state: S;
  /** Caller owns (and disposes) these tensors. */
  readonly tensors: tf.NamedTensorMap;
  /** Set for a format-1 checkpoint (no checksums). */
  readonly warning?: string;
}

/** Restores checkpoint `dir`, verified first: a damaged checkpoint is a CHECKPOINT_INVALID error naming it, never a partial restore. */
export function loadCheckpoint<S>(dir: string, checkState?: StateCheck): LoadedCheckpoint<S> {
  let seen: ReturnType<typeof inspect>;
  try {
    seen = inspect(dir, checkState);
  } catch (err) {
    throw new RunnerError('CHECKPOINT_INVALID', `checkpoint ${dir} cannot be read: ${(err as Error).message}`);
  }
  const { check, file, bin } = seen;
  if (!check.ok || !file || !bin) throw new RunnerError('CHECKPOINT_INVALID', `checkpoint ${dir} is damaged: ${check.ok ? 'unreadable' : check.problem}`);
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const tensors: tf.NamedTensorMap = {};
  for (const r of file.tensors) {
    const data = r.dtype === 'int32' ? new Int32Array(buffer, r.offset, r.length) : new Float32Array(buffer, r.offset, r.length);
    tensors[r.name] = tf.tensor(data, [...r.shape], r.dtype);
  }
  return { step: file.step, state: file.state as S, tensors, ...(check.warning ? { warning: check.warning } : {}) };
}

export interface ResumePoint {
  /** The newest intact checkpoint, if any. */
  readonly checkpoint?: { readonly step: number; readonly dir: string; readonly warning?: string };
  /** Newer checkpoints that are damaged, newest first, each with its problem. */
  readonly damaged: readonly { readonly step: number; readonly dir: string; readonly problem: string }[];
}

/** The newest intact checkpoint under `root`, and the damaged ones newer than it; stale temps are cleared first. */
export function findResumePoint(root: string, checkState?: StateCheck): ResumePoint {
  if (existsSync(root)) removeStaleTemps(root);
  const damaged: { step: number; dir: string; problem: string }[] = [];
  for (const c of listCheckpoints(root).reverse()) {
    const check = verifyCheckpoint(c.dir, checkState);
    if (check.ok) return { checkpoint: { ...c, ...(check.warning ? { warning: check.warning } : {}) }, damaged };
    damaged.push({ ...c, problem: check.problem });
  }
  return { damaged };
}
