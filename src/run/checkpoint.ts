/**
 * Checkpoints: `checkpoints/step-NNNNNN/` holding `state.json` (counters, RNG and data cursor, a
 * tensor index) and `tensors.bin` (raw little-endian tensor data). The folder is written under a
 * temp name and renamed, so a checkpoint folder that exists is complete.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import { commitDir, tmpName, writeSynced } from './atomic.js';

export interface TensorRecord {
  readonly name: string;
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  readonly offset: number;
  readonly length: number;
}

export interface CheckpointFile<S> {
  readonly format: 'minima-checkpoint-1';
  readonly step: number;
  readonly state: S;
  readonly tensors: readonly TensorRecord[];
}

export const checkpointDirName = (step: number): string => `step-${String(step).padStart(6, '0')}`;

/** Writes tensors (read asynchronously) and a JSON state; returns the checkpoint folder. */
export async function saveCheckpoint<S>(root: string, step: number, state: S, tensors: tf.NamedTensorMap): Promise<string> {
  mkdirSync(root, { recursive: true });
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
  const final = join(root, checkpointDirName(step));
  const tmp = tmpName(final);
  rmSync(tmp, { recursive: true, force: true }); // left by an earlier process with the same host and pid
  mkdirSync(tmp);
  writeSynced(join(tmp, 'tensors.bin'), Buffer.concat(chunks));
  const file: CheckpointFile<S> = { format: 'minima-checkpoint-1', step, state, tensors: records };
  writeSynced(join(tmp, 'state.json'), `${JSON.stringify(file, null, 1)}\n`);
  commitDir(tmp, final);
  return final;
}

export function listCheckpoints(root: string): { step: number; dir: string }[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => /^step-\d+$/.test(n) && existsSync(join(root, n, 'state.json')) && existsSync(join(root, n, 'tensors.bin')))
    .map((n) => ({ step: Number(n.slice(5)), dir: join(root, n) }))
    .sort((a, b) => a.step - b.step);
}

/** Removes temp folders of interrupted saves and all but the newest `keep` checkpoints (never `protect`). */
export function pruneCheckpoints(root: string, keep: number, protect?: string): void {
  if (!existsSync(root)) return;
  for (const n of readdirSync(root)) if (n.endsWith('.tmp')) rmSync(join(root, n), { recursive: true, force: true });
  const all = listCheckpoints(root);
  for (const c of all.slice(0, Math.max(0, all.length - keep))) if (c.dir !== protect) rmSync(c.dir, { recursive: true, force: true });
}

export interface LoadedCheckpoint<S> {
  readonly step: number;
  readonly state: S;
  /** Caller owns (and disposes) these tensors. */
  readonly tensors: tf.NamedTensorMap;
}

export function loadCheckpoint<S>(dir: string): LoadedCheckpoint<S> {
  let file: CheckpointFile<S>;
  try {
    file = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as CheckpointFile<S>;
  } catch (err) {
    throw new RunnerError('CHECKPOINT_INVALID', `cannot read ${join(dir, 'state.json')}: ${(err as Error).message}`);
  }
  if (file.format !== 'minima-checkpoint-1') throw new RunnerError('CHECKPOINT_INVALID', `${dir}: unknown checkpoint format ${String(file.format)}`);
  const bin = readFileSync(join(dir, 'tensors.bin'));
  const expected = file.tensors.reduce((s, r) => s + r.length * 4, 0);
  if (bin.byteLength !== expected || statSync(join(dir, 'tensors.bin')).size !== expected) {
    throw new RunnerError('CHECKPOINT_INVALID', `${dir}: tensors.bin has ${bin.byteLength} bytes, expected ${expected}`);
  }
  const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const tensors: tf.NamedTensorMap = {};
  for (const r of file.tensors) {
    const data = r.dtype === 'int32' ? new Int32Array(buffer, r.offset, r.length) : new Float32Array(buffer, r.offset, r.length);
    tensors[r.name] = tf.tensor(data, [...r.shape], r.dtype);
  }
  return { step: file.step, state: file.state, tensors };
}
