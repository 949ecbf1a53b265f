/** Exit codes shared by every verb; each verb's help says which it uses. */
export const EXIT = {
  ok: 0,
  /** lint: problems found; analyze: Failed; judge: High or Low. */
  problems: 1,
  /** Usage error (bad flags) for lint; Inconclusive for analyze; NoData for judge. */
  usage: 2,
  analysisError: 3,
  /** analyze and judge: usage or an invalid template. */
  invalidInput: 4,
} as const;
