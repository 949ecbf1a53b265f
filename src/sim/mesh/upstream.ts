import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SERVICE_TIME_HEADER } from '../demo-app/index.ts';

/** What the destination sidecar saw of one upstream call. */
export interface UpstreamResult {
  code: number;
  /** Envoy response flags: `-`, `UC` (connection terminated), `UT` (timeout), `UF` (connect failed). */
  flags: string;
  durationMs: number;
}

/** Options for {@link UpstreamCaller}. */
export interface UpstreamOptions {
  timeoutMs: number;
  maxSockets: number;
}

/**
 * Sends requests to demo apps the way the destination sidecar forwards them to its local app,
 * turning transport failures into the codes and flags Envoy would report. Loopback only.
 */
export class UpstreamCaller {
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(opts: UpstreamOptions) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets });
    this.#timeoutMs = opts.timeoutMs;
  }

  /** Calls `baseUrl + path`; never rejects. */
  call(baseUrl: string, path: string, headers: Readonly<Record<string, string>>): Promise<UpstreamResult> {
    const url = new URL(path, baseUrl);
    if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      return Promise.resolve({ code: 503, flags: 'UF', durationMs: 0 });
    }
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (code: number, flags: string, serviceMs?: number): void => {
        if (settled) return;
        settled = true;
        resolve({ code, flags, durationMs: serviceMs ?? elapsed() });
      };
      const req = request(url, { method: 'GET', headers, agent: this.#agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          finish(res.statusCode ?? 503, '-', serviceTime(res.headers[SERVICE_TIME_HEADER]));
        });
        res.on('error', () => {
          finish(503, 'UC');
        });
      });
      req.setTimeout(this.#timeoutMs, () => {
        finish(504, 'UT');
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        finish(503, err.code === 'ECONNREFUSED' ? 'UF' : 'UC');
      });
      req.end();
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/**
 * The pod's own time for the request, when the app says (the demo app does): what a sidecar beside
 * a pod with its own CPU would measure. Without it, the wall time of the call.
 */
function serviceTime(header: string | string[] | undefined): number | undefined {
  const value = typeof header === 'string' ? Number(header) : Number.NaN;
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
