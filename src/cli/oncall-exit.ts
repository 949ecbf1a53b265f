/**
 * Exit codes of the on-call verbs (get, status, promote, abort, retry, pause, resume). They differ
 * from EXIT's verdict codes because a script around `serin promote` asks other questions: did it
 * apply, was it refused, does the Canary exist, may I, and did the controller answer in time.
 */
export const ONCALL_EXIT = {
  ok: 0,
  /** Refused before anything was created (wrong phase, revision moved), or the controller Rejected it. */
  refused: 1,
  usage: 2,
  /** The Canary (or the namespace, or serin's CRDs) does not exist. */
  notFound: 3,
  /** The API server refused the credentials (401) or RBAC forbade the request (403). */
  forbidden: 4,
  /** No usable kubeconfig, the API server unreachable, or another API error. */
  apiError: 5,
  /** --wait ran out before the controller applied or rejected the Approval. */
  timeout: 6,
} as const;
export type OncallExit = (typeof ONCALL_EXIT)[keyof typeof ONCALL_EXIT];

/** The exit-code block each on-call verb's --help ends with. */
export function exitCodesHelp(codes: readonly OncallExit[]): string {
  const text: Record<OncallExit, string> = {
    0: 'done',
    1: 'refused (nothing created), or the controller rejected the Approval',
    2: 'usage',
    3: 'Canary, namespace or serin CRDs not found',
    4: 'unauthorized or forbidden by RBAC',
    5: 'kubeconfig or API server error',
    6: '--wait timed out before the controller decided',
  };
  return `\nExit codes:\n${codes.map((code) => `  ${code}  ${text[code]}`).join('\n')}\n`;
}
