/**
 * The one spec resolver: validates a component spec against its registry entry, recursively
 * through the entry's `nested` slots (a wrapper's `base:`, a loss's `extra:`), fills defaults and
 * collects every issue with its path. The config loader and every registry's build() use it.
 */
import type { z } from 'zod';
import { ConfigError, UnknownNameError, unknownNameMessage } from './errors.js';
import { isPlainObject } from './plain-object.js';
import { RESOLVED, isResolved, type NestedSlot, type RegistryKind, type Resolved, type Spec } from './spec.js';
import { suggest } from './suggest.js';

/** One problem at a path; `unknown` when it is an unknown name (library callers throw UnknownNameError for it). */
export interface PathIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly unknown?: { readonly kind: RegistryKind; readonly name: string; readonly suggestions: readonly string[]; readonly known: readonly string[] };
}

/** What the resolver needs of a registry (a Registry has it). */
export interface SpecSource {
  readonly kind: RegistryKind;
  names(): string[];
  has(name: string): boolean;
  get(name: string): { readonly schema: z.ZodType; readonly nested?: Readonly<Record<string, NestedSlot>> };
}

export type Catalog = Readonly<Partial<Record<RegistryKind, SpecSource>>>;

export interface ResolveContext {
  readonly catalog: Catalog;
  /** Dotted paths of specs whose `name` an override changed (drop options the new entry lacks). */
  readonly renamed?: ReadonlySet<string>;
  readonly warnings?: string[];
}

/** The option keys an entry schema declares (zod object shape, through wrappers such as pipes); [] when none. */
export function schemaKeys(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (shape && typeof shape === 'object') return Object.keys(shape);
  const inner = (schema as unknown as { _zod?: { def?: { in?: z.ZodType; schema?: z.ZodType; innerType?: z.ZodType } } })._zod?.def;
  const next = inner?.in ?? inner?.schema ?? inner?.innerType;
  return next ? schemaKeys(next) : [];
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `a list`;
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const k of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[k];
  }
  return node;
}

/** zod issues → path issues, with "did you mean" for unknown keys and the offending value for type errors. */
export function zodIssues(
  error: z.ZodError,
  at: readonly (string | number)[],
  input: unknown,
  knownKeys: readonly string[] | undefined,
): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of error.issues) {
    const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const parentKeys = rel.length === 0 ? knownKeys : undefined;
      for (const key of issue.keys) {
        const s = parentKeys ? suggest(key, parentKeys) : [];
        const hint = s.length > 0 ? ` (did you mean ${s.map((x) => `"${x}"`).join(' or ')}?)` : '';
        const known = parentKeys && parentKeys.length > 0 ? `; allowed: ${parentKeys.join(', ')}` : '';
        out.push({ path: [...at, ...rel, key], message: `unknown key "${key}"${hint}${known}` });
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_format') {
      const got = valueAt(input, rel);
      message = `${message.replace(/^Invalid input: /, '')}, got ${describeValue(got)}`;
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      const got = valueAt(input, rel);
      if (typeof got === 'number') message = `${message} (got ${got})`;
    }
    out.push({ path: [...at, ...rel], message });
  }
  return out;
}

/**
 * Validates one spec (a string is shorthand for `{name}`); returns it resolved — name first,
 * defaults filled, nested specs resolved, branded — or undefined, having pushed its issues.
 */
export function resolveSpec(
  kind: RegistryKind,
  raw: unknown,
  at: readonly (string | number)[],
  ctx: ResolveContext,
  issues: PathIssue[],
): Resolved | undefined {
  const registry = ctx.catalog[kind];
  if (!registry) throw new Error(`no ${kind} registry to resolve ${at.join('.')} against`);
  if (typeof raw === 'string') raw = { name: raw };
  if (!isPlainObject(raw)) {
    issues.push({ path: at, message: `expected a ${kind} spec such as {name: ${registry.names()[0] ?? '...'}}, got ${describeValue(raw)}` });
    return undefined;
  }
  const name = raw.name;
  if (typeof name !== 'string' || name.length === 0) {
    issues.push({ path: [...at, 'name'], message: `missing ${kind} name; known: ${registry.names().join(', ')}` });
    return undefined;
  }
  if (!registry.has(name)) {
    const known = registry.names();
    const suggestions = suggest(name, known);
    issues.push({ path: [...at, 'name'], message: unknownNameMessage(kind, name, suggestions, known), unknown: { kind, name, suggestions, known } });
    return undefined;
  }
  const entry = registry.get(name);
  const options: Record<string, unknown> = { ...raw };
  delete options.name;
  const nestedOut: Record<string, unknown> = {};
  for (const [key, slot] of Object.entries(entry.nested ?? {})) {
    const value = options[key];
    delete options[key];
    if (value === undefined || value === null) {
      if (!slot.optional) issues.push({ path: [...at, key], message: `missing ${slot.kind} spec "${key}"` });
      else if (slot.list) nestedOut[key] = [];
      continue;
    }
    if (slot.list) {
      if (!Array.isArray(value)) {
        issues.push({ path: [...at, key], message: `expected a list of ${slot.kind} specs, got ${describeValue(value)}` });
        continue;
      }
      nestedOut[key] = value.map((v, i) => resolveSpec(slot.kind, v, [...at, key, i], ctx, issues));
    } else {
      nestedOut[key] = resolveSpec(slot.kind, value, [...at, key], ctx, issues);
    }
  }
  const keys = [...schemaKeys(entry.schema), ...Object.keys(entry.nested ?? {})];
  if (ctx.renamed?.has(at.join('.')) && keys.length > 0) {
    for (const k of Object.keys(options)) {
      if (!keys.includes(k)) {
        delete options[k];
        ctx.warnings?.push(`${[...at, k].join('.')}: dropped (not an option of ${kind} "${name}", which an override selected)`);
      }
    }
  }
  const parsed = entry.schema.safeParse(options);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, at, options, keys));
    return undefined;
  }
  const resolved = { name, ...(parsed.data as Record<string, unknown>), ...nestedOut };
  return Object.defineProperty(resolved, RESOLVED, { value: true }) as Resolved;
}

/**
 * A spec resolved against one registry, for library callers (no file to point into): the spec
 * itself when it is already resolved; else UnknownNameError for the first unknown name (outermost
 * first), or one ConfigError listing every other issue.
 */
export function resolveOrThrow(source: SpecSource, spec: Spec, at: readonly (string | number)[]): Resolved {
  if (isPlainObject(spec) && isResolved(spec)) return spec;
  const issues: PathIssue[] = [];
  const resolved = resolveSpec(source.kind, spec, at, { catalog: { [source.kind]: source } }, issues);
  const unknown = issues.find((i) => i.unknown)?.unknown;
  if (unknown) throw new UnknownNameError(unknown.kind, unknown.name, unknown.suggestions, unknown.known);
  if (!resolved || issues.length > 0) {
    const name = isPlainObject(spec) && typeof spec.name === 'string' ? ` "${spec.name}"` : ' spec';
    throw new ConfigError(issues.map((i) => ({ path: i.path.join('.'), message: i.message })), `invalid ${source.kind}${name}`);
  }
  return resolved;
}
