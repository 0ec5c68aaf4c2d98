/**
 * Validates a component spec against its registry recursively and collects EVERY issue (unknown
 * names and keys with "did you mean", bad values, missing nested specs). Nested specs (a wrapper's
 * `base`) are found through the entry's `nested` declaration, never through its schema.
 */
import type { z } from 'zod';
import type { ConfigIssue } from '../core/errors.js';
import { unknownNameMessage } from '../core/errors.js';
import type { Registry, RegistryKind, Spec } from '../core/registry.js';
import { suggest } from '../core/suggest.js';

export interface ResolvedSpec {
  /** The spec with every default filled in (name first, nested specs resolved); the input when invalid. */
  readonly value: Spec;
  readonly issues: ConfigIssue[];
}

export type RegistryLookup = (kind: RegistryKind) => Registry<unknown, any> | undefined;

const join = (path: readonly (string | number)[]): string => path.map(String).join('.');

/** Option names a schema accepts (zod object shapes), for suggestions. */
export function schemaKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function resolveSpec(registry: Registry<unknown, any>, spec: unknown, at: readonly string[], lookup: RegistryLookup): ResolvedSpec {
  const issues: ConfigIssue[] = [];
  if (!isRecord(spec) || typeof spec.name !== 'string') {
    issues.push({ path: join(at), message: `expected a ${registry.kind} spec: an object with a string "name"` });
    return { value: (isRecord(spec) ? spec : { name: '' }) as Spec, issues };
  }
  if (!registry.has(spec.name)) {
    const known = registry.names();
    issues.push({ path: join([...at, 'name']), message: unknownNameMessage(registry.kind, spec.name, suggest(spec.name, known), known) });
    return { value: spec as Spec, issues };
  }
  const entry = registry.get(spec.name);
  const nested = entry.nested ?? {};
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) if (k !== 'name' && !(k in nested)) options[k] = v;

  const known = [...schemaKeys(entry.schema), ...Object.keys(nested)];
  const parsed = entry.schema.safeParse(options);
  let value: Record<string, unknown> = { ...spec };
  if (parsed.success) {
    value = { name: spec.name, ...(parsed.data as Record<string, unknown>) };
  } else {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const s = suggest(key, known);
          const hint = s.length > 0 ? ` (did you mean ${s.map((x) => `"${x}"`).join(' or ')}?)` : '';
          issues.push({
            path: join([...at, ...issue.path.map(String), key]),
            message: `unknown option "${key}" for ${registry.kind} "${spec.name}"${hint}; known: ${known.join(', ')}`,
          });
        }
      } else {
        issues.push({ path: join([...at, ...issue.path.map(String)]), message: issue.message });
      }
    }
  }
  for (const [key, slot] of Object.entries(nested)) {
    const child = spec[key];
    if (child === undefined) {
      if (!slot.optional) issues.push({ path: join([...at, key]), message: `required: a ${slot.kind} spec (e.g. { name: ... })` });
      continue;
    }
    const reg = lookup(slot.kind);
    if (!reg) {
      issues.push({ path: join([...at, key]), message: `no ${slot.kind} registry available here` });
      continue;
    }
    const items = slot.list ? child : [child];
    if (slot.list && !Array.isArray(items)) {
      issues.push({ path: join([...at, key]), message: `expected a list of ${slot.kind} specs` });
      continue;
    }
    const out = (items as unknown[]).map((c, i) => {
      const r = resolveSpec(reg, c, slot.list ? [...at, key, String(i)] : [...at, key], lookup);
      issues.push(...r.issues);
      return r.value;
    });
    value[key] = slot.list ? out : out[0];
  }
  return { value: value as Spec, issues };
}
