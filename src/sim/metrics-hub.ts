import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One scrape target for Prometheus that serves the merged metrics of every mesh emulator registered
 * with it. Prometheus is started once with this target; meshes come and go (one per demo Canary or
 * e2e scenario) without restarting it or waiting for its service discovery.
 */
export interface MetricsHub {
  /** `127.0.0.1:<port>`: the scrape target. */
  readonly target: string;
  add(metricsUrl: string): void;
  remove(metricsUrl: string): void;
  close(): Promise<void>;
}

interface Family {
  help?: string;
  type?: string;
  samples: string[];
}

/**
 * Merges Prometheus text expositions: each metric family appears once, with its HELP and TYPE, and
 * the samples of every source (their labels tell them apart).
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const family = (name: string): Family => {
    let found = families.get(name);
    if (!found) {
      found = { samples: [] };
      families.set(name, found);
    }
    return found;
  };
  for (const text of texts) {
    let current: string | undefined;
    for (const line of text.split('\n')) {
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        current = meta[2] ?? '';
        const target = family(current);
        if (meta[1] === 'HELP') target.help ??= line;
        else target.type ??= line;
      } else if (line.trim() !== '' && !line.startsWith('#')) {
        family(current ?? /^[^{\s]+/.exec(line)?.[0] ?? '').samples.push(line);
      }
    }
  }
  const out: string[] = [];
  for (const { help, type, samples } of families.values()) {
    if (help) out.push(help);
    if (type) out.push(type);
    out.push(...samples);
  }
  return `${out.join('\n')}\n`;
}

/** Starts the hub on 127.0.0.1 (port 0 picks a free one). */
export async function startMetricsHub(port = 0): Promise<MetricsHub> {
  const sources = new Set<string>();
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void Promise.all(
      [...sources].map(async (url) => {
        try {
          return await (await fetch(url, { signal: AbortSignal.timeout(2_000) })).text();
        } catch {
          return ''; // a mesh that is stopping: its series simply go stale
        }
      }),
    ).then((texts) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(mergeExpositions(texts));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${address.port}`,
    add: (url) => {
      sources.add(url);
    },
    remove: (url) => {
      sources.delete(url);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
