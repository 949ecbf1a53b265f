/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The RFC 7386 merge patch that turns `from` into `to`: changed keys carry their new value, removed
 * keys carry `null`, and arrays are replaced whole (merge patch cannot edit inside a list).
 * Returns `undefined` when nothing changed. A `null` in `to` reads as an absent key, as the server
 * stores it (a merge patch deletes nulls), and values are compared whatever the order of their keys:
 * a status that differs from the stored one only in those ways is not written again.
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) {
    return sameJson(from, to) ? undefined : to;
  }
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    if (absent(from[key])) continue;
    if (!Object.hasOwn(to, key) || absent(to[key])) setOwn(patch, key, null);
  }
  for (const [key, value] of Object.entries(to)) {
    if (absent(value)) continue;
    const sub = Object.hasOwn(from, key) ? createMergePatch(from[key], value) : value;
    if (sub !== undefined) setOwn(patch, key, sub);
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

function absent(value: unknown): boolean {
  return value === null || value === undefined;
}

/**
 * Whether two values are the same JSON as the server stores it: object members that are null or
 * undefined count as absent and key order does not count. The same answer as comparing
 * {@link canonical} texts, without building them: it stops at the first difference (a status
 * compared at every pass, 170 a second at 10,000 Canaries).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isPlain(a) && isPlain(b)) {
    let present = 0;
    for (const key of Object.keys(a)) {
      const value = a[key];
      if (absent(value)) continue;
      present += 1;
      if (!Object.hasOwn(b, key) || !sameJson(value, b[key])) return false;
    }
    for (const key of Object.keys(b)) if (!absent(b[key])) present -= 1;
    return present === 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    // In a list JSON writes undefined as null.
    return a.every((item, i) => sameJson(item ?? null, b[i] ?? null));
  }
  // Leaves and anything JSON writes in a way of its own (NaN as null, toJSON, undefined in a list).
  return canonical(a) === canonical(b);
}

/** An object JSON writes member by member: no list, no toJSON. */
function isPlain(v: unknown): v is Record<string, unknown> {
  return isObject(v) && typeof v.toJSON !== 'function';
}

/** A value as JSON with sorted keys and without null or undefined object members. */
function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => !absent(x))
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** Defines an own property, so a key such as `__proto__` stays data instead of a prototype change. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
