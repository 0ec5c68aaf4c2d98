/** A mapping as YAML and JSON produce it: an object that is neither null nor a list. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Keys that reach an object's prototype when written with `obj[key] = …` or read with `obj[key]`:
 * refused wherever a user names a key (YAML files, overrides), so no parser can pollute a prototype.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The value of an own property, never one inherited from a prototype. */
export function getOwn(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** Defines an own, enumerable data property: never calls a setter (`__proto__` included). */
export function setOwn(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The path (keys and list indices) of the first forbidden key in a JSON-like value, or null. */
export function forbiddenKeyPath(v: unknown, at: readonly (string | number)[] = []): (string | number)[] | null {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const found = forbiddenKeyPath(v[i], [...at, i]);
      if (found) return found;
    }
  } else if (isPlainObject(v)) {
    for (const k of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(k)) return [...at, k];
      const found = forbiddenKeyPath(v[k], [...at, k]);
      if (found) return found;
    }
  }
  return null;
}
