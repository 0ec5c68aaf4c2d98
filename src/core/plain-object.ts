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

/**
 * The first problem of a JSON-like value that a user wrote (an override's YAML value): a forbidden
 * key, or a value that contains itself (a YAML alias inside its own anchor); null when none.
 */
export function valueProblem(v: unknown, at: readonly (string | number)[] = [], open: Set<unknown> = new Set()): { path: (string | number)[]; problem: 'forbidden key' | 'cycle' } | null {
  if (typeof v !== 'object' || v === null) return null;
  if (open.has(v)) return { path: [...at], problem: 'cycle' };
  open.add(v);
  try {
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, x] of entries) {
      if (typeof k === 'string' && FORBIDDEN_KEYS.has(k)) return { path: [...at, k], problem: 'forbidden key' };
      const found = valueProblem(x, [...at, k], open);
      if (found) return found;
    }
    return null;
  } finally {
    open.delete(v);
  }
}
