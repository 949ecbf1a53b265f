/** The slice of a pino logger the Kubernetes adapters use (structurally compatible with pino). */
export interface KubeLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Discards everything; the default when no logger is injected. */
export const silentLogger: KubeLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
};
