import { describe, expect, it } from 'vitest';
import { listDuplicates } from './list-types.ts';
import type { SchemaNode } from './structural.ts';

const ports: SchemaNode = {
  type: 'object',
  properties: {
    ports: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
    },
    hosts: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    tags: { type: 'array', 'x-kubernetes-list-type': 'atomic', items: { type: 'string' } },
  },
};

describe('list-type map and set uniqueness', () => {
  it('reports the second item with the same map keys, printed like Go with sorted keys', () => {
    const value = {
      ports: [
        { port: 80, protocol: 'TCP' },
        { port: 80, protocol: 'UDP' },
        { protocol: 'TCP', port: 80 },
      ],
    };
    expect(listDuplicates(ports, value)).toEqual([
      {
        reason: 'FieldValueDuplicate',
        field: 'ports[2]',
        message: 'Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}',
      },
    ]);
  });

  it('compares only the key fields that are set', () => {
    const value = { ports: [{ port: 80 }, { port: 80 }, { port: 81 }] };
    expect(listDuplicates(ports, value).map((c) => [c.field, c.message])).toEqual([
      ['ports[1]', 'Duplicate value: map[string]interface {}{"port":80}'],
    ]);
  });

  it('reports a value repeated three times once, at its second occurrence, as kube does', () => {
    expect(listDuplicates(ports, { hosts: ['a', 'a', 'a'] }).map((c) => c.field)).toEqual(['hosts[1]']);
  });

  it('compares objects in a set whatever the order of their keys', () => {
    const objects: SchemaNode = {
      type: 'array',
      'x-kubernetes-list-type': 'set',
      items: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } } },
    };
    expect(
      listDuplicates(objects, [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ]),
    ).toEqual([
      {
        reason: 'FieldValueDuplicate',
        field: '[1]',
        message: 'Duplicate value: map[string]interface {}{"a":1, "b":2}',
      },
    ]);
  });

  it('answers Invalid, not Duplicate, for an item of a list-type map that is not an object', () => {
    expect(listDuplicates(ports, { ports: [{ port: 80 }, 'http'] })).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'ports[1]',
        message: 'Invalid value: "http": must be an object for an array of list-type map',
      },
    ]);
  });

  it('reports repeated values of a set, and nothing for an atomic list', () => {
    const value = { hosts: ['a', 'b', 'a'], tags: ['x', 'x'] };
    expect(listDuplicates(ports, value)).toEqual([
      { reason: 'FieldValueDuplicate', field: 'hosts[2]', message: 'Duplicate value: "a"' },
    ]);
  });
});
