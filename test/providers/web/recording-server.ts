import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

/** One request the server received. */
export interface Recorded {
  readonly method: string;
  /** Path and query, exactly as sent on the request line (still percent-encoded). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local HTTP server on 127.0.0.1 that records every request and answers with `handler`. */
export interface RecordingServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly requests: Recorded[];
  /** Replaces how the server answers. */
  answer(handler: (request: Recorded, response: ServerResponse) => void): void;
  close(): Promise<void>;
}

/** Answers `body` as JSON with `status`. */
export function json(body: unknown, status = 200) {
  return (_request: Recorded, response: ServerResponse): void => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

export async function startRecordingServer(
  handler: (request: Recorded, response: ServerResponse) => void = json({}),
): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  let current = handler;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      current(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
