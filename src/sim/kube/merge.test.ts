import { describe, expect, it } from 'vitest';
import { mergePatch, strategicMerge } from './merge.ts';

// RFC 7386 Appendix A, every example.
const RFC7386: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('mergePatch (RFC 7386)', () => {
  it.each(RFC7386)('merges %j with %j into %j (Appendix A)', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('does not modify its inputs', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('strategicMerge (approximation for built-ins)', () => {
  it('merges containers by name and keeps unnamed siblings', () => {
    const live = {
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '1' },
        ],
      },
    };
    expect(strategicMerge(live, { spec: { containers: [{ name: 'b', image: '2' }] } })).toEqual({
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '2' },
        ],
      },
    });
  });

  it('deletes a keyed element with $patch: delete and replaces a list with $patch: replace', () => {
    const live = {
      env: [
        { name: 'X', value: '1' },
        { name: 'Y', value: '2' },
      ],
    };
    expect(strategicMerge(live, { env: [{ name: 'X', $patch: 'delete' }] })).toEqual({
      env: [{ name: 'Y', value: '2' }],
    });
    expect(strategicMerge(live, { env: [{ $patch: 'replace' }, { name: 'Z', value: '3' }] })).toEqual({
      env: [{ name: 'Z', value: '3' }],
    });
  });

  it('replaces lists without a known merge key, like a merge patch', () => {
    expect(strategicMerge({ args: ['a', 'b'] }, { args: ['c'] })).toEqual({ args: ['c'] });
  });
});
