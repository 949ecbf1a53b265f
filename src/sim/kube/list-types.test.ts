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

  it('reports repeated values of a set, and nothing for an atomic list', () => {
    const value = { hosts: ['a', 'b', 'a'], tags: ['x', 'x'] };
    expect(listDuplicates(ports, value)).toEqual([
      { reason: 'FieldValueDuplicate', field: 'hosts[2]', message: 'Duplicate value: "a"' },
    ]);
  });
});
