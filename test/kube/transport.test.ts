/**
 * ClientNodeTransport's connections: client-node makes a new Agent for every request, so each
 * request used to open a TCP connection (and a TLS handshake) of its own.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeConfig } from '../../src/kube/client-node.ts';
import { ClientNodeTransport, KubeClient } from '../../src/kube/index.ts';

let server: Server | undefined;
afterEach(async () => {
  const open = server;
  if (open !== undefined) {
    const closed = new Promise((resolve) => open.close(resolve));
    open.closeAllConnections();
    await closed;
  }
  server = undefined;
});

/** A server on loopback that answers every request with `{}` and counts connections and tokens. */
async function countingServer(): Promise<{ url: string; connections: () => number; tokens: string[] }> {
  let connections = 0;
  const tokens: string[] = [];
  server = createServer((req, res) => {
    tokens.push(req.headers.authorization ?? '');
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, connections: () => connections, tokens };
}

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

describe('ClientNodeTransport', () => {
  it('sends one request after another over one kept-alive connection, with the credentials', async () => {
    const world = await countingServer();
    const transport = new ClientNodeTransport(kubeConfig(world.url));
    for (let i = 0; i < 5; i++) {
      const res = await transport.send({ method: 'GET', path: '/api/v1/namespaces' });
      expect(res.status).toBe(200);
    }
    expect(world.connections()).toBe(1);
    expect(world.tokens).toEqual(Array.from({ length: 5 }, () => 'Bearer secret-token'));
  });

  it('opens a connection per request in flight at once, and reuses them afterwards', async () => {
    const world = await countingServer();
    const transport = new ClientNodeTransport(kubeConfig(world.url));
    const burst = () =>
      Promise.all(Array.from({ length: 3 }, () => transport.send({ method: 'GET', path: '/api/v1/pods' })));
    await burst();
    const opened = world.connections();
    expect(opened).toBeLessThanOrEqual(3);
    await burst();
    await burst();
    expect(world.connections()).toBe(opened);
  });

  it('gives up on a request that gets no response within its deadline, as a Timeout, and the caller can still abort', async () => {
    let received = 0;
    server = createServer(() => {
      received++; // never answers: a connection that swallows the request
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const kc = kubeConfig(`http://127.0.0.1:${port}`);
    const transport = new ClientNodeTransport(kc, { requestTimeoutMs: 200 });
    await expect(transport.send({ method: 'GET', path: '/api/v1/namespaces' })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    const client = new KubeClient({ transport, retry: { maxAttempts: 1 } });
    await expect(client.get({ apiVersion: 'v1', kind: 'Namespace', name: 'x' })).rejects.toMatchObject({
      code: 'Timeout',
    });
    const caller = new AbortController();
    const sent = transport.send({ method: 'GET', path: '/api/v1/pods', signal: caller.signal });
    setTimeout(() => {
      caller.abort();
    }, 20);
    await expect(sent).rejects.not.toMatchObject({ name: 'TimeoutError' });
    // The first two reached the server (a deadline, not a refused connection); the third may not have.
    expect(received).toBeGreaterThanOrEqual(2);
  });
});
