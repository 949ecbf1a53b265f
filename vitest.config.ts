import { defineConfig } from 'vitest/config';

/**
 * Suites that run a real Prometheus or the whole stack. They run after the others, one file at a
 * time: on a 2-core machine, running them beside the unit suites starves the load generator and
 * Prometheus' scrapes, and timing-sensitive analysis (a new 5xx series is invisible to rate() until
 * it has been scraped twice) stops being what it is in production.
 */
const STACK_SUITES = [
  'test/e2e/**/*.test.ts',
  'test/demo/**/*.test.ts',
  'test/analysis/**/*.integration.test.ts',
  'test/judge-provider/**/*.integration.test.ts',
  // Compiles the sources and installs the production dependencies into an empty folder: a minute
  // of both cores, which would starve the timing-sensitive unit suites running beside it.
  'test/image/**/*.test.ts',
  // Runs the controller process with the workload emulator through whole rollouts, against deadlines.
  'test/deploy/least-privilege.test.ts',
  // A real Chromium driving the dashboard against the whole stack.
  'test/dashboard/**/*.browser.test.ts',
  // The fault suites (issue 17): controller processes killed, Prometheus and the API failing on purpose.
  'test/soak/**/*.test.ts',
  // Several controller processes over hundreds of Canaries (issue 18).
  'test/scale/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: STACK_SUITES,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: STACK_SUITES,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
