/**
 * Prints the real output docs/tuning.md shows: starts a Prometheus backfilled with the generated
 * history of tune.integration.test.ts and runs the walk-through's commands against it.
 *
 *   flock /tmp/serin-heavy.lock npx tsx test/analysis/tuning-walkthrough.ts
 *
 * The Prometheus address printed is shortened to http://127.0.0.1:9090, as in the doc.
 */
import { runCliCaptured } from '../../src/main.ts';
import { startPrometheus } from '../harness/prometheus.ts';
import { historyOpenMetrics } from './service-history.ts';
import { CANARY, PAY_CANARY, PAY_PRIMARY, STABLE } from './tuning-histories.ts';

const prom = await startPrometheus({
  targets: [],
  backfill: historyOpenMetrics([STABLE, CANARY, PAY_PRIMARY, PAY_CANARY]),
});
const SHORT = 'http://127.0.0.1:9090';

async function show(args: string[]): Promise<void> {
  const real = args.map((a) => (a === SHORT ? prom.url : a));
  const result = await runCliCaptured(real);
  console.log(`$ serin ${args.join(' ')}`);
  console.log(result.stdout.replaceAll(prom.url, SHORT).trimEnd());
  console.log(`(exit ${result.code})\n`);
}

const day = ['--from', '2026-06-01T00:00:00Z', '--to', '2026-06-02T00:00:00Z'];
const which = process.argv.slice(2);
const wanted = (name: string) => which.length === 0 || which.includes(name);
try {
  if (wanted('tune'))
    await show([
      'tune',
      '--template',
      'analysis-templates/istio-error-rate.yaml',
      '--arg',
      'namespace=shop',
      '--arg',
      'workload=checkout',
      '--prometheus',
      SHORT,
      ...day,
      '--qps',
      '500',
    ]);
  const judgeTemplate = 'test/fixtures/replay/judge-templates/judge-vs-primary.yaml';
  if (wanted('judge'))
    await show([
      'tune',
      '--template',
      judgeTemplate,
      '--arg',
      'canary.namespace=shop',
      '--arg',
      'canary.workload=checkout',
      '--arg',
      'canary.primaryWorkload=checkout',
      '--prometheus',
      SHORT,
      '--from',
      '2026-06-01T08:00:00Z',
      '--to',
      '2026-06-01T10:00:00Z',
      '--qps',
      '500',
      '--no-power',
    ]);
  if (wanted('judge-aa'))
    await show([
      'tune',
      '--template',
      judgeTemplate,
      '--arg',
      'canary.namespace=shop',
      '--arg',
      'canary.workload=pay',
      '--arg',
      'canary.primaryWorkload=pay-primary',
      '--prometheus',
      SHORT,
      '--from',
      '2026-06-01T08:00:00Z',
      '--to',
      '2026-06-01T10:00:00Z',
      '--qps',
      '500',
      '--no-power',
    ]);
  if (wanted('replay'))
    await show([
      'replay',
      '--canary',
      'test/fixtures/replay/canary.yaml',
      '--templates',
      'analysis-templates/',
      '--prometheus',
      SHORT,
      '--start',
      '2026-06-01T09:55:00Z',
    ]);
  if (wanted('replay-judge'))
    await show([
      'replay',
      '--canary',
      'test/fixtures/replay/judge-canary.yaml',
      '--templates',
      'test/fixtures/replay/judge-templates/',
      '--prometheus',
      SHORT,
      '--start',
      '2026-06-01T09:50:00Z',
    ]);
} finally {
  await prom.stop();
}
