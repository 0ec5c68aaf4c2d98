import type { z } from 'zod';
import { RunnerError, UnknownNameError } from './errors.js';
import { resolveOrThrow } from './resolve-spec.js';
import { specOptions, type NestedSlot, type RegistryKind, type Resolved, type Spec } from './spec.js';
import { suggest } from './suggest.js';

export type { NestedSlot, RegistryKind, Resolved, Spec } from './spec.js';

/**
 * A registry entry is data: name, one-line summary, a zod schema for its options (strict, with
 * defaults and `.describe()`d fields) and a constructor. `nested` lists option keys that hold specs
 * of another (or the same) registry, resolved recursively by the spec resolver.
 */
export interface Entry<O = any, T = unknown, D = any> {
  readonly name: string;
  readonly summary: string;
  readonly schema: z.ZodType<O>;
  readonly nested?: Readonly<Record<string, NestedSlot>>;
  /** Free display text for `minima list` (paper, repository, example …); facts code relies on are typed fields. */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  create(options: O, deps: D): T;
}

export interface Registry<T = unknown, D = any, E extends Entry<any, T, D> = Entry<any, T, D>> {
  readonly kind: RegistryKind;
  readonly entries: readonly E[];
  names(glob?: string): string[];
  has(name: string): boolean;
  /** Throws UnknownNameError (with "did you mean") for an unknown name. */
  get(name: string): E;
  /**
   * The spec with defaults filled and nested specs resolved (a resolved spec is returned as is).
   * Throws UnknownNameError for an unknown name at any level, else one ConfigError with every issue
   * under `at`.
   */
  resolve(spec: Spec, at: readonly (string | number)[]): Resolved;
  /** resolve() (skipped for a resolved spec), then the entry's create(options, deps); nested specs are built through deps. */
  build(spec: Spec, at: readonly (string | number)[], deps: D): T;
}

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export function createRegistry<T, D = any, E extends Entry<any, T, D> = Entry<any, T, D>>(kind: RegistryKind, entries: readonly E[]): Registry<T, D, E> {
  const byName = new Map<string, E>();
  for (const e of entries) {
    if (byName.has(e.name)) throw new RunnerError('DUPLICATE_NAME', `duplicate ${kind} name "${e.name}" in the registry`, 1);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(e.name)) throw new RunnerError('DUPLICATE_NAME', `${kind} name "${e.name}" is not lowercase kebab-case`, 1);
    byName.set(e.name, e);
  }
  const sorted = [...byName.keys()].sort();
  const registry: Registry<T, D, E> = {
    kind,
    entries: sorted.map((n) => byName.get(n)!),
    names(glob) {
      if (!glob) return [...sorted];
      const re = globToRegExp(glob);
      return sorted.filter((n) => re.test(n));
    },
    has: (name) => byName.has(name),
    get(name) {
      const e = byName.get(name);
      if (!e) throw new UnknownNameError(kind, name, suggest(name, sorted), sorted);
      return e;
    },
    resolve: (spec, at) => resolveOrThrow(registry, spec, at),
    build(spec, at, deps) {
      const resolved = resolveOrThrow(registry, spec, at);
      return registry.get(resolved.name).create(specOptions(resolved), deps);
    },
  };
  return registry;
}
