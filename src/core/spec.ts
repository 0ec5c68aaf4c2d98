/**
 * What a config names: a component spec (`name:` plus its options), the kinds of component, the
 * option keys that nest further specs, and the brand of a spec the resolver has already checked.
 */

/** The kinds of component minima knows; every kind has one registry of the same shape. */
export type RegistryKind =
  | 'dataset'
  | 'model'
  | 'loss'
  | 'optimizer'
  | 'schedule'
  | 'diagnostic'
  | 'attack'
  | 'transform'
  | 'analysis';

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
 * Marks a spec that came out of the resolver (defaults filled, nested specs resolved), so that
 * building it does not validate it again. A non-enumerable own property: YAML, JSON and copies
 * (`{...spec}`, structuredClone) drop it, and a copied spec is simply resolved once more.
 */
export const RESOLVED: unique symbol = Symbol('minima.resolved');

export type Resolved<S extends Spec = Spec> = S & { readonly [RESOLVED]: true };

export function isResolved<S extends Spec>(spec: S): spec is Resolved<S> {
  return (spec as Partial<Resolved>)[RESOLVED] === true;
}

/** A spec's options: everything but its name (nested specs included, as entries' create() expects). */
export function specOptions(spec: Spec): Record<string, unknown> {
  const { name: _name, ...options } = spec;
  return options;
}
