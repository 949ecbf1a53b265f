/**
 * A Prometheus stand-in for the scale bench. A real Prometheus cannot hold 10,000 synthetic
 * workloads' series on two shared cores, so this answers the shipped istio-success-rate template's
 * two instant queries from a rule instead of from samples:
 * - the minTraffic query (no `response_code=~"5.."` matcher) answers 600 requests in the window;
 * - the success-rate query answers 1 (no errors), or 0.5 for a workload switched to failing.
 * It reads only the `destination_workload_namespace` and `destination_workload` matchers, so every
 * query the controller sends costs it one HTTP request, one parse and one JSON answer: the query
 * volume the controller produces is real, only its evaluation is not. Every request is counted
 * ("after dedup" in the bench: what reached Prometheus).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running stand-in. */
export interface PrometheusStandIn {
  readonly url: string;
  /** Requests to /api/v1/query and /api/v1/query_range so far. */
  queries(): number;
  /** Requests that could not be answered (unknown path, no workload in the query). */
  refused(): number;
  /** From now on, the workload's success rate reads 0.5. */
  fail(namespace: string, workload: string): void;
  stop(): Promise<void>;
}

const NAMESPACE = /destination_workload_namespace="([^"]*)"/;
const WORKLOAD = /destination_workload="([^"]*)"/;

function vector(value: number, at: number): string {
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [at, String(value)] }] },
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += (chunk as Buffer).toString();
  return body;
}

/** The `query` parameter of a GET or a form-encoded POST (prometheus-query sends POST). */
async function queryOf(req: IncomingMessage): Promise<string | undefined> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const fromUrl = url.searchParams.get('query');
  if (fromUrl !== null) return fromUrl;
  if (req.method !== 'POST') return undefined;
  return new URLSearchParams(await readBody(req)).get('query') ?? undefined;
}

/** Starts the stand-in on 127.0.0.1 (ephemeral port). */
export async function startPrometheusStandIn(): Promise<PrometheusStandIn> {
  let queries = 0;
  let refused = 0;
  const failing = new Set<string>();
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/api/v1/query' && path !== '/api/v1/query_range') {
      refused += 1;
      res.writeHead(404).end();
      return;
    }
    queries += 1;
    const query = await queryOf(req);
    const ns = query === undefined ? undefined : NAMESPACE.exec(query)?.[1];
    const workload = query === undefined ? undefined : WORKLOAD.exec(query)?.[1];
    if (query === undefined || ns === undefined || workload === undefined) {
      refused += 1;
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'no workload matcher' }));
      return;
    }
    const errors = query.includes('response_code=~"5.."');
    const value = !errors ? 600 : failing.has(`${ns}/${workload}`) ? 0.5 : 1;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(vector(value, Date.now() / 1000));
  };
  const server = createServer((req, res) => {
    answer(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries: () => queries,
    refused: () => refused,
    fail: (namespace, workload) => failing.add(`${namespace}/${workload}`),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
