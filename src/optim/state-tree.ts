/** Flattening optimizer state trees into named tensor maps (checkpoints) and back. */
import type * as tf from '../backends/tf.js';
import { RunnerError } from '../core/errors.js';
import type { StateTree } from './transform.js';

function isTensor(x: unknown): x is tf.Tensor {
  return typeof x === 'object' && x !== null && 'dataId' in x && 'shape' in x;
}

export function leaves(tree: StateTree): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  const walk = (t: StateTree): void => {
    if (isTensor(t)) out.push(t);
    else if (Array.isArray(t)) (t as readonly StateTree[]).forEach(walk);
    else for (const v of Object.values(t as Record<string, StateTree>)) walk(v);
  };
  walk(tree);
  return out;
}

/** Path-named leaves: `adam/mu/0`, `base/momentum/count`, … */
export function flatten(tree: StateTree, prefix = ''): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  const walk = (t: StateTree, path: string): void => {
    if (isTensor(t)) out[path] = t;
    else if (Array.isArray(t)) (t as readonly StateTree[]).forEach((c, i) => walk(c, path ? `${path}/${i}` : String(i)));
    else for (const [k, v] of Object.entries(t as Record<string, StateTree>)) walk(v, path ? `${path}/${k}` : k);
  };
  walk(tree, prefix);
  return out;
}

/** Rebuilds `template`'s structure from `map`; `take` turns each stored tensor into the new leaf. */
export function unflatten(template: StateTree, map: tf.NamedTensorMap, take: (t: tf.Tensor) => tf.Tensor): StateTree {
  const expected = flatten(template);
  const missing = Object.keys(expected).filter((k) => !(k in map));
  const extra = Object.keys(map).filter((k) => !(k in expected));
  if (missing.length > 0 || extra.length > 0) {
    throw new RunnerError(
      'CHECKPOINT_INVALID',
      `optimizer state does not match this optimizer: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}`,
    );
  }
  for (const [k, t] of Object.entries(expected)) {
    const s = map[k]!;
    if (s.shape.join(',') !== t.shape.join(',') || s.dtype !== t.dtype) {
      throw new RunnerError('CHECKPOINT_INVALID', `optimizer state "${k}": expected ${t.dtype}[${t.shape.join(',')}], got ${s.dtype}[${s.shape.join(',')}]`);
    }
  }
  const walk = (t: StateTree, path: string): StateTree => {
    if (isTensor(t)) return take(map[path]!);
    if (Array.isArray(t)) return (t as readonly StateTree[]).map((c, i) => walk(c, path ? `${path}/${i}` : String(i)));
    const o: Record<string, StateTree> = {};
    for (const [k, v] of Object.entries(t as Record<string, StateTree>)) o[k] = walk(v, path ? `${path}/${k}` : k);
    return o;
  };
  return walk(template, '');
}
