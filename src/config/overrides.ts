/**
 * Command-line overrides, Hydra's grammar: `a.b=value` sets (the value is YAML-typed:
 * `optimizer.lr=3e-4`, `model.hidden=[128,64]`), `+a.b=value` adds, `~a.b` deletes.
 */
import { parse as parseYaml } from 'yaml';
import { RunnerError } from '../core/errors.js';
import { isPlainObject } from '../core/plain-object.js';

export interface Override {
  readonly raw: string;
  readonly op: 'set' | 'add' | 'delete';
  readonly path: readonly string[];
  readonly value?: unknown;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

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
  if (path.some((k) => !KEY.test(k) && !/^\d+$/.test(k))) {
    throw new RunnerError('USAGE', `override "${raw}": "${keyPart}" is not a dotted key path`);
  }
  if (op === 'delete') return { raw, op, path };
  const valueText = text.slice(eq + 1);
  let value: unknown;
  try {
    value = valueText === '' ? '' : parseYaml(valueText);
  } catch (err) {
    throw new RunnerError('USAGE', `override "${raw}": value is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  return { raw, op, path, value: value === undefined ? null : value };
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
    for (let i = 0; i < o.path.length - 1; i++) {
      const k = o.path[i]!;
      const next: unknown = Array.isArray(node) ? node[Number(k)] : node[k];
      if (isPlainObject(next) || Array.isArray(next)) {
        node = next;
      } else {
        if (o.op === 'delete') {
          node = [];
          break;
        }
        const created: Record<string, unknown> = {};
        if (Array.isArray(node)) node[Number(k)] = created;
        else node[k] = created;
        node = created;
      }
    }
    const last = o.path[o.path.length - 1]!;
    if (o.op === 'delete') {
      if (Array.isArray(node)) node.splice(Number(last), 1);
      else delete node[last];
      continue;
    }
    if (!Array.isArray(node) && last === 'name' && typeof node.name === 'string' && node.name !== o.value) {
      renamed.add(o.path.slice(0, -1).join('.'));
    }
    if (Array.isArray(node)) node[Number(last)] = o.value;
    else node[last] = o.value;
  }
  return { value: root, renamed };
}
