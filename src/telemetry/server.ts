import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthSources {
  readonly registry: Registry;
  /** Liveness: the process is running its loops. */
  readonly live: () => boolean;
  /** Readiness: the caches are synced (whether or not this instance leads). */
  readonly ready: () => { ready: boolean; detail: string };
}

export interface TelemetryServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Parses `:8080` (all interfaces, as in a pod), `127.0.0.1:8080` or `8080` (loopback) into host
 * and port.
 */
export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d+)$/.exec(address);
  if (!match) throw new Error(`invalid listen address "${address}": expected [host]:port`);
  const host = match[1] === undefined ? '127.0.0.1' : match[1] === '' ? '0.0.0.0' : match[1];
  return { host, port: Number(match[2]) };
}

/** Serves /metrics, /healthz and /readyz. */
export async function startTelemetryServer(
  address: string,
  sources: HealthSources,
): Promise<TelemetryServer> {
  const { host, port } = parseListenAddress(address);
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': sources.registry.contentType });
        res.end(await sources.registry.metrics());
      } else if (req.url === '/healthz') {
        const live = sources.live();
        res.writeHead(live ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(live ? 'ok\n' : 'not live\n');
      } else if (req.url === '/readyz') {
        const { ready, detail } = sources.ready();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(`${detail}\n`);
      } else {
        res.writeHead(404).end();
      }
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address() as AddressInfo;
  return {
    url: `http://${bound.address}:${bound.port}`,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}
