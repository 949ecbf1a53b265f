/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The RFC 7386 merge patch that turns `from` into `to`: changed keys carry their new value, removed
 * keys carry `null`, and arrays are replaced whole (merge patch cannot edit inside a list).
 * Returns `undefined` when nothing changed. `to` must not itself contain nulls (they would read as
 * deletions), which holds for status objects serin builds.
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) {
    return JSON.stringify(from) === JSON.stringify(to) ? undefined : to;
  }
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    if (!Object.hasOwn(to, key) || to[key] === undefined) setOwn(patch, key, null);
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const sub = Object.hasOwn(from, key) ? createMergePatch(from[key], value) : value;
    if (sub !== undefined) setOwn(patch, key, sub);
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** Defines an own property, so a key such as `__proto__` stays data instead of a prototype change. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
