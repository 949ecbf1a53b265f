/**
 * How a demo app behaves, read from its pod template's environment, the way a real image would read
 * its configuration: `DEMO_ERROR_RATE` (fraction of 500s, 0..1) and `DEMO_LATENCY_MS` (mean latency).
 */

/** The behaviour of one demo app. */
export interface DemoBehaviour {
  /** Probability (0..1) that a request is answered 500. */
  errorRate: number;
  /** Mean response latency in milliseconds (0: answer at once). */
  latencyMs: number;
}

/** One `env` entry of a container spec (only literal values are read). */
export interface EnvVar {
  name: string;
  value?: string;
}

/** A parsed behaviour and the problems found on the way (invalid values fall back to the default). */
export interface ParsedBehaviour {
  behaviour: DemoBehaviour;
  problems: string[];
}

/** The behaviour of an image that sets nothing: always 200, no added latency. */
export const DEFAULT_BEHAVIOUR: DemoBehaviour = { errorRate: 0, latencyMs: 0 };

/**
 * Spread of the log-normal latency distribution. Real services have a right-skewed latency with a
 * tail; with sigma 0.25 the p99 is about 1.73x the mean, so a p99 objective means something.
 */
export const LATENCY_SIGMA = 0.25;

/** Reads DEMO_ERROR_RATE and DEMO_LATENCY_MS from a container's env. */
export function parseBehaviour(env: readonly EnvVar[] | undefined): ParsedBehaviour {
  const problems: string[] = [];
  const read = (name: string, min: number, max: number, fallback: number): number => {
    const raw = env?.find((e) => e.name === name)?.value;
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (Number.isFinite(value) && value >= min && value <= max) return value;
    problems.push(`${name}=${JSON.stringify(raw)} is not a number in [${min}, ${max}]; using ${fallback}`);
    return fallback;
  };
  return {
    behaviour: {
      errorRate: read('DEMO_ERROR_RATE', 0, 1, DEFAULT_BEHAVIOUR.errorRate),
      latencyMs: read('DEMO_LATENCY_MS', 0, 600_000, DEFAULT_BEHAVIOUR.latencyMs),
    },
    problems,
  };
}

/**
 * Draws one latency (ms) from a log-normal distribution whose mean is `meanMs`.
 * `random` must return values in [0, 1), like Math.random.
 */
export function sampleLatency(meanMs: number, random: () => number): number {
  if (meanMs <= 0) return 0;
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - random();
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  // E[exp(mu + sigma z)] = exp(mu + sigma^2 / 2), so this mu makes the mean meanMs.
  const mu = Math.log(meanMs) - (LATENCY_SIGMA * LATENCY_SIGMA) / 2;
  return Math.exp(mu + LATENCY_SIGMA * z);
}
