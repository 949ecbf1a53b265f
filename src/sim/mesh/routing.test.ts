import { describe, expect, it } from 'vitest';
import { qualifyClientHost, serviceOf } from './hosts.ts';
import { decideRoute, pickDestination, type OutboundRequest, type VirtualServiceLike } from './routing.ts';

const req: OutboundRequest = {
  host: 'podinfo',
  namespace: 'shop',
  path: '/api/info',
  method: 'GET',
  headers: {},
  port: 80,
  sourceLabels: { app: 'loadgenerator' },
};

function vs(
  name: string,
  spec: object,
  extra: Partial<VirtualServiceLike['metadata']> = {},
): VirtualServiceLike {
  return { metadata: { name, namespace: 'shop', creationTimestamp: '2025-01-01T00:00:00Z', ...extra }, spec };
}

const split = (primary: number, canary: number) => ({
  route: [
    { destination: { host: 'podinfo-primary' }, weight: primary },
    { destination: { host: 'podinfo-canary' }, weight: canary },
  ],
});

const hostsOf = (d: ReturnType<typeof decideRoute>) =>
  d.kind === 'route' ? d.destinations.map((x) => `${x.host}=${x.weight}`) : d.reason;

describe('decideRoute', () => {
  it('qualifies short destination hosts in the VirtualService namespace', () => {
    const d = decideRoute([vs('podinfo', { hosts: ['podinfo'], http: [split(80, 20)] })], req);
    expect(hostsOf(d)).toEqual([
      'podinfo-primary.shop.svc.cluster.local=80',
      'podinfo-canary.shop.svc.cluster.local=20',
    ]);
  });

  it('routes straight to the Service when no VirtualService covers the host', () => {
    const d = decideRoute([vs('other', { hosts: ['other'], http: [split(50, 50)] })], req);
    expect(d).toMatchObject({ kind: 'route', virtualService: undefined });
    expect(hostsOf(d)).toEqual(['podinfo.shop.svc.cluster.local=100']);
  });

  it('matches an FQDN VirtualService host and a wildcard', () => {
    const fqdn = vs('a', { hosts: ['podinfo.shop.svc.cluster.local'], http: [split(10, 90)] });
    expect(hostsOf(decideRoute([fqdn], req))).toContain('podinfo-canary.shop.svc.cluster.local=90');
    const wild = vs('b', { hosts: ['*.shop.svc.cluster.local'], http: [split(30, 70)] });
    expect(hostsOf(decideRoute([wild], req))).toContain('podinfo-canary.shop.svc.cluster.local=70');
  });

  it('ignores VirtualServices bound only to gateways', () => {
    const gw = vs('gw', { hosts: ['podinfo'], gateways: ['ingress'], http: [split(0, 100)] });
    expect(decideRoute([gw], req)).toMatchObject({ kind: 'route', virtualService: undefined });
    const both = vs('both', { hosts: ['podinfo'], gateways: ['ingress', 'mesh'], http: [split(0, 100)] });
    expect(decideRoute([both], req)).toMatchObject({ virtualService: 'shop/both' });
  });

  it('uses the oldest VirtualService when two claim the same host', () => {
    const newer = vs(
      'newer',
      { hosts: ['podinfo'], http: [split(0, 100)] },
      { creationTimestamp: '2025-02-01T00:00:00Z' },
    );
    const older = vs('older', { hosts: ['podinfo'], http: [split(100, 0)] });
    expect(decideRoute([newer, older], req)).toMatchObject({ virtualService: 'shop/older' });
  });

  it('takes the first http route whose match holds', () => {
    const spec = {
      hosts: ['podinfo'],
      http: [
        { name: 'beta', match: [{ headers: { 'x-beta': { exact: 'yes' } } }], ...split(0, 100) },
        { name: 'admin', match: [{ uri: { prefix: '/admin' } }], ...split(50, 50) },
        { name: 'api', match: [{ uri: { regex: '/api/.*' }, method: { exact: 'GET' } }], ...split(90, 10) },
        { name: 'rest', ...split(100, 0) },
      ],
    };
    expect(decideRoute([vs('p', spec)], req)).toMatchObject({ routeName: 'api' });
    expect(decideRoute([vs('p', spec)], { ...req, headers: { 'x-beta': 'yes' } })).toMatchObject({
      routeName: 'beta',
    });
    expect(decideRoute([vs('p', spec)], { ...req, path: '/other' })).toMatchObject({ routeName: 'rest' });
  });

  it('never matches a condition it does not emulate', () => {
    const spec = { hosts: ['podinfo'], http: [{ match: [{ mirrorOf: { exact: 'x' } }], ...split(0, 100) }] };
    expect(decideRoute([vs('p', spec)], req)).toMatchObject({ kind: 'none' });
  });

  it('gives a lone destination all traffic and an unweighted one of several none', () => {
    const lone = vs('p', {
      hosts: ['podinfo'],
      http: [{ route: [{ destination: { host: 'podinfo-primary' } }] }],
    });
    expect(hostsOf(decideRoute([lone], req))).toEqual(['podinfo-primary.shop.svc.cluster.local=100']);
    const two = vs('p', {
      hosts: ['podinfo'],
      http: [{ route: [{ destination: { host: 'a' }, weight: 100 }, { destination: { host: 'b' } }] }],
    });
    expect(hostsOf(decideRoute([two], req))).toEqual([
      'a.shop.svc.cluster.local=100',
      'b.shop.svc.cluster.local=0',
    ]);
  });
});

describe('pickDestination', () => {
  const dests = [
    { host: 'p', weight: 80, subset: undefined },
    { host: 'c', weight: 20, subset: undefined },
  ];

  it('splits the unit interval in proportion to the weights', () => {
    expect(pickDestination(dests, () => 0)?.host).toBe('p');
    expect(pickDestination(dests, () => 0.799)?.host).toBe('p');
    expect(pickDestination(dests, () => 0.8)?.host).toBe('c');
    expect(pickDestination(dests, () => 0.999999)?.host).toBe('c');
  });

  it('never picks a destination of weight 0', () => {
    const zero = [
      { host: 'p', weight: 100, subset: undefined },
      { host: 'c', weight: 0, subset: undefined },
    ];
    for (const r of [0, 0.5, 0.9999999]) expect(pickDestination(zero, () => r)?.host).toBe('p');
  });

  it('picks nothing when every weight is 0', () => {
    expect(pickDestination([{ host: 'p', weight: 0, subset: undefined }], () => 0.3)).toBeUndefined();
  });
});

describe('hosts', () => {
  it('completes client hosts the way the pod DNS search path does', () => {
    expect(qualifyClientHost('podinfo', 'shop')).toBe('podinfo.shop.svc.cluster.local');
    expect(qualifyClientHost('podinfo.web', 'shop')).toBe('podinfo.web.svc.cluster.local');
    expect(qualifyClientHost('podinfo.web.svc', 'shop')).toBe('podinfo.web.svc.cluster.local');
    expect(qualifyClientHost('example.com.io.x', 'shop')).toBe('example.com.io.x');
  });

  it('recognises only <name>.<namespace>.svc.cluster.local as a Service', () => {
    expect(serviceOf('podinfo.shop.svc.cluster.local')).toEqual({ namespace: 'shop', name: 'podinfo' });
    expect(serviceOf('example.com')).toBeUndefined();
    expect(serviceOf('a.b.c.svc.cluster.local')).toBeUndefined();
  });
});
