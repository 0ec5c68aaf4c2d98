/**
 * Command-line overrides, Hydra's grammar: `a.b=value` sets (the value is YAML-typed:
 * `optimizer.lr=3e-4`, `model.hidden=[128,64]`), `+a.b=value` adds, `~a.b` deletes.
 * Every problem names the override; keys that reach a prototype are refused, and writes only
 * ever define own properties.
 */
import { parse as parseYaml } from 'yaml';
import { RunnerError } from '../core/errors.js';
import { FORBIDDEN_KEYS, getOwn, isPlainObject, setOwn, valueProblem } from '../core/plain-object.js';

export interface Override {
  readonly raw: string;
  readonly op: 'set' | 'add' | 'delete';
  readonly path: readonly string[];
  readonly value?: unknown;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INDEX = /^\d+$/;

function usage(raw: string, problem: string): RunnerError {
  return new RunnerError('USAGE', `override "${raw}": ${problem}`);
}

export function parseOverride(raw: string): Override {
  let text = raw.trim();
  let op: Override['op'] = 'set';
  if (text.startsWith('~')) {
    op = 'delete';
    text = text.slice(1);
  } else if (text.startsWith('+')) {
    op = 'add';
    text = text.slice(1);
  }
  const eq = text.indexOf('=');
  if (op === 'delete' && eq >= 0) text = text.slice(0, eq);
  if (op !== 'delete' && eq < 0) {
    throw new RunnerError('USAGE', `override "${raw}" must look like key.path=value (or ~key.path to delete)`);
  }
  const keyPart = op === 'delete' ? text : text.slice(0, eq);
  const path = keyPart.split('.');
  if (path.some((k) => !KEY.test(k) && !INDEX.test(k))) throw usage(raw, `"${keyPart}" is not a dotted key path`);
  const forbidden = path.find((k) => FORBIDDEN_KEYS.has(k));
  if (forbidden) throw usage(raw, `"${forbidden}" is not allowed as a key`);
  if (op === 'delete') return { raw, op, path };
  const valueText = text.slice(eq + 1);
  let value: unknown;
  try {
    value = valueText === '' ? '' : parseYaml(valueText, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw usage(raw, `value is not valid YAML (${String((err as Error)?.message ?? err).split('\n')[0]})`);
  }
  const problem = valueProblem(value);
  if (problem?.problem === 'forbidden key') throw usage(raw, `"${problem.path[problem.path.length - 1]}" is not allowed as a key (at ${[...path, ...problem.path].join('.')})`);
  if (problem) throw usage(raw, `the value contains itself at ${[...path, ...problem.path].join('.')} (an alias inside its own anchor)`);
  return { raw, op, path, value: value === undefined ? null : value };
}

/** The list index a path key names, or an error naming the override. */
function listIndex(o: Override, list: readonly unknown[], i: number, create: boolean): number {
  const k = o.path[i]!;
  const at = o.path.slice(0, i).join('.');
  if (!INDEX.test(k)) throw usage(o.raw, `${at} is a list; "${k}" is not an index (0 to ${list.length - 1})`);
  const n = Number(k);
  // + may append one item; every other use names an existing one
  const limit = create ? list.length : list.length - 1;
  if (n > limit) throw usage(o.raw, `${at} has ${list.length} item${list.length === 1 ? '' : 's'}; index ${n} is past its end${create ? '' : ' (use +… to append)'}`);
  return n;
}

/**
 * Applies overrides to a plain object (mutating a deep copy). Returns the new object and the
 * dotted paths of components whose `name` an override changed: their old options may not fit the
 * new component, so the resolver drops the ones the new entry does not accept.
 */
export function applyOverrides(
  target: Record<string, unknown>,
  overrides: readonly Override[],
): { value: Record<string, unknown>; renamed: Set<string> } {
  const root = structuredClone(target);
  const renamed = new Set<string>();
  for (const o of overrides) {
    let node: Record<string, unknown> | unknown[] = root;
    let missing = false;
    for (let i = 0; i < o.path.length - 1; i++) {
      const k = o.path[i]!;
      if (Array.isArray(node)) {
        const n = listIndex(o, node, i, false);
        const next: unknown = node[n];
        if (isPlainObject(next) || Array.isArray(next)) {
          node = next;
          continue;
        }
        if (o.op === 'delete') { missing = true; break; }
        const created = {};
        node[n] = created;
        node = created;
        continue;
      }
      const next = getOwn(node, k);
      if (isPlainObject(next) || Array.isArray(next)) {
        node = next;
        continue;
      }
      if (o.op === 'delete') { missing = true; break; }
      const created = {};
      setOwn(node, k, created);
      node = created;
    }
    if (missing) continue;
    const last = o.path.length - 1;
    const key = o.path[last]!;
    if (o.op === 'delete') {
      if (Array.isArray(node)) node.splice(listIndex(o, node, last, false), 1);
      else delete node[key];
      continue;
    }
    if (Array.isArray(node)) {
      node[listIndex(o, node, last, o.op === 'add')] = o.value;
      continue;
    }
    if (key === 'name' && typeof getOwn(node, 'name') === 'string' && node.name !== o.value) {
      renamed.add(o.path.slice(0, -1).join('.'));
    }
    setOwn(node, key, o.value);
  }
  return { value: root, renamed };
}
