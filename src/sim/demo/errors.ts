/** Why the demo stopped early. */
export type DemoErrorCode = 'Timeout' | 'Interrupted' | 'UnexpectedResult';

/** The demo could not show what it meant to show; `message` says what it was waiting for. */
export class DemoError extends Error {
  readonly code: DemoErrorCode;

  constructor(code: DemoErrorCode, message: string) {
    super(message);
    this.name = 'DemoError';
    this.code = code;
  }
}

/** Resolves after `ms`, or rejects with `Interrupted` as soon as `signal` fires. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new DemoError('Interrupted', 'interrupted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DemoError('Interrupted', 'interrupted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
