import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createMergePatch, sameJson } from './merge-patch.ts';

/** RFC 7386 apply, for checking the patches round-trip. */
function apply(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const base = new Map(
    typeof target === 'object' && target !== null && !Array.isArray(target) ? Object.entries(target) : [],
  );
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) base.delete(k);
    else base.set(k, apply(base.get(k), v));
  }
  return Object.fromEntries(base);
}

const noNulls = fc
  .jsonValue()
  .map((v): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => x ?? 0)) as unknown);

describe('createMergePatch', () => {
  it('sets removed keys to null so the server drops them', () => {
    expect(createMergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 2 } })).toEqual({
      b: { d: null },
    });
  });

  it('returns undefined when nothing changed', () => {
    expect(createMergePatch({ a: [1, 2], b: { c: 'x' } }, { a: [1, 2], b: { c: 'x' } })).toBe(undefined);
  });

  it('reads a null in the new value as an absent key, as the server stores it', () => {
    expect(createMergePatch({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 2, d: null }, e: null })).toBe(undefined);
    expect(createMergePatch({ a: 1, b: { c: 2 } }, { a: 1, b: { c: null } })).toEqual({ b: { c: null } });
  });

  it('compares values whatever the order of their keys, inside arrays too', () => {
    const from = { runs: [{ id: 'r1', metrics: [{ name: 'm', count: 1 }], message: 'x' }] };
    const same = { runs: [{ message: 'x', id: 'r1', metrics: [{ count: 1, name: 'm', next: null }] }] };
    expect(createMergePatch(from, same)).toBe(undefined);
    const changed = { runs: [{ message: 'x', id: 'r1', metrics: [{ count: 2, name: 'm' }] }] };
    expect(createMergePatch(from, changed)).toEqual(changed);
  });

  it('replaces arrays whole', () => {
    expect(createMergePatch({ a: [1, 2] }, { a: [1] })).toEqual({ a: [1] });
  });

  it('produces a patch that turns any object into any other', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), noNulls), fc.dictionary(fc.string(), noNulls), (from, to) => {
        const patch = createMergePatch(from, to);
        expect(patch === undefined ? from : apply(from, patch)).toEqual(to);
      }),
    );
  });
});

/** JSON with sorted keys and without null members: what sameJson must agree with. */
function canonicalText(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== null && x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** The same JSON written another way: keys in reverse order and null members added. */
function rewritten(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewritten);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).reverse();
  return Object.fromEntries([...entries.map(([k, v]) => [k, rewritten(v)] as const), ['zz-added', null]]);
}

describe('sameJson', () => {
  it('agrees with comparing canonical JSON texts, for any two values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(sameJson(a, b)).toBe(canonicalText(a) === canonicalText(b));
      }),
    );
  });

  it('holds a value the same as itself written another way, and tells a changed leaf apart', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (a) => {
        expect(sameJson(a, rewritten(a))).toBe(true);
        expect(sameJson({ x: a, y: 1 }, { x: rewritten(a), y: 2 })).toBe(false);
      }),
    );
    expect(sameJson({ a: [1, { b: null }] }, { a: [1, {}] })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 0 })).toBe(false);
    expect(sameJson([undefined], [null])).toBe(true);
  });
});
