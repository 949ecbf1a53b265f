/** What a verb needs from the process: output streams and a way to set the exit code. */
export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  /** Sets the process exit code for this invocation (the last call wins). */
  exit(code: number): void;
  /** Aborted on SIGINT/SIGTERM, so long-running verbs can stop cleanly. */
  readonly signal: AbortSignal;
  /** True when `out` is a terminal, so a live view may redraw in place instead of appending lines. */
  readonly isTTY?: boolean;
}

/** The result of running the CLI in-process (used by tests). */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}
