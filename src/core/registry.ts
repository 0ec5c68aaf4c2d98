import type { z } from 'zod';
import { RunnerError, UnknownNameError } from './errors.js';
import { suggest } from './suggest.js';

/** The kinds of component minima knows; every kind has one registry of the same shape. */
export type RegistryKind =
  | 'dataset'
  | 'model'
  | 'loss'
  | 'optimizer'
  | 'schedule'
  | 'diagnostic'
  | 'transform';

/** A component as YAML names it: `name:` plus its options beside it. */
export interface Spec {
  readonly name: string;
  readonly [option: string]: unknown;
}

/** Option keys whose values are themselves specs of some registry (wrappers nest: `base:`). */
export interface NestedSlot {
  readonly kind: RegistryKind;
  readonly list?: boolean;
  readonly optional?: boolean;
}

/**
 * A registry entry is data: name, one-line summary, a zod schema for its options (strict, with
 * defaults and `.describe()`d fields) and a constructor. `nested` lists option keys that hold specs
 * of another (or the same) registry, validated recursively by the config resolver.
 */
export interface Entry<O = any, T = unknown, D = any> {
  readonly name: string;
  readonly summary: string;
  readonly schema: z.ZodType<O>;
  readonly nested?: Readonly<Record<string, NestedSlot>>;
  /** Free-form facts for `minima list` (cost per step, paper, aliases …). */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
  create(options: O, deps: D): T;
}

export interface Registry<T = unknown, D = any> {
  readonly kind: RegistryKind;
  readonly entries: readonly Entry<any, T, D>[];
  names(glob?: string): string[];
  has(name: string): boolean;
  /** Throws UnknownNameError (with "did you mean") for an unknown name. */
  get(name: string): Entry<any, T, D>;
}

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export function createRegistry<T, D = any>(kind: RegistryKind, entries: readonly Entry<any, T, D>[]): Registry<T, D> {
  const byName = new Map<string, Entry<any, T, D>>();
  for (const e of entries) {
    if (byName.has(e.name)) throw new RunnerError('DUPLICATE_NAME', `duplicate ${kind} name "${e.name}" in the registry`, 1);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(e.name)) throw new RunnerError('DUPLICATE_NAME', `${kind} name "${e.name}" is not lowercase kebab-case`, 1);
    byName.set(e.name, e);
  }
  const sorted = [...byName.keys()].sort();
  return {
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
  };
}
