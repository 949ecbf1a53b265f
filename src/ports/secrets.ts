/** A key in a Kubernetes Secret; `namespace` is the namespace of the object that refers to it. */
export interface SecretRef {
  readonly namespace?: string;
  readonly name: string;
  readonly key: string;
}

/** A Secret's value, or why it could not be read. The error never contains the value. */
export type SecretValue = { ok: true; value: string } | { ok: false; error: string };

/**
 * Reads secret values (bearer tokens, Secret-backed template args). Implementations must never log
 * a value or put it in an error message; callers redact values from anything they report.
 */
export interface SecretReader {
  read(ref: SecretRef): Promise<SecretValue>;
}
