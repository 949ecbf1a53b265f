/** Codes of the errors the judge throws for programming mistakes (bad input never throws). */
export type JudgeErrorCode = 'E_JUDGE_NAN' | 'E_JUDGE_RANGE' | 'E_JUDGE_THRESHOLDS';

/** A misuse of the judge's low-level functions, e.g. NaN passed where samples must be clean. */
export class JudgeError extends Error {
  override readonly name = 'JudgeError';
  constructor(
    readonly code: JudgeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
