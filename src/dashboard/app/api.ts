import {
  CSRF_HEADER,
  type ActionAnswer,
  type DashboardAction,
  type HistoryAnswer,
  type SessionInfo,
} from '../api-types.ts';

/** The session's CSRF token, which the server wrote into the page. */
function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="serin-csrf"]')?.content ?? '';
}

/** The state of a live stream, for the page's "live" indicator. */
export type StreamState = 'connecting' | 'live' | 'reconnecting';

/**
 * Follows a server-sent event stream. EventSource reconnects by itself; each (re)connection starts
 * with a full snapshot, so nothing is merged across a gap.
 */
export function follow(
  url: string,
  onMessage: (message: unknown) => void,
  onState: (state: StreamState) => void,
): () => void {
  const source = new EventSource(url);
  onState('connecting');
  source.onopen = () => {
    onState('live');
  };
  source.onerror = () => {
    onState('reconnecting');
  };
  source.onmessage = (event: MessageEvent<string>) => {
    onMessage(JSON.parse(event.data));
  };
  return () => {
    source.close();
  };
}

async function readAnswer<T>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`the dashboard answered ${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
  }
}

export async function session(): Promise<SessionInfo> {
  const res = await fetch('/api/session');
  if (!res.ok) throw new Error(`cannot read the session: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return readAnswer<SessionInfo>(res);
}

function canaryPath(namespace: string, name: string): string {
  return `/api/canaries/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

export function detailStreamUrl(namespace: string, name: string): string {
  return `${canaryPath(namespace, name)}/stream`;
}

export async function history(namespace: string, name: string, metric: string): Promise<HistoryAnswer> {
  const res = await fetch(`${canaryPath(namespace, name)}/history?metric=${encodeURIComponent(metric)}`);
  if (!res.ok) return { ok: false, reason: `the dashboard answered ${res.status}` };
  return readAnswer<HistoryAnswer>(res);
}

/** Creates the Approval for an action; a refusal comes back as `{ ok: false, error }`, never as a throw. */
export async function act(
  namespace: string,
  name: string,
  action: DashboardAction,
  reason: string,
): Promise<ActionAnswer> {
  try {
    const res = await fetch(`${canaryPath(namespace, name)}/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [CSRF_HEADER]: csrfToken() },
      body: JSON.stringify({ action, reason }),
    });
    return await readAnswer<ActionAnswer>(res);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
