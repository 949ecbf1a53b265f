import { seconds, type ReleaseResult } from './releases.ts';

/** The closing summary: each release's result, how long it took, and what decided it. */
export function summaryLines(results: readonly ReleaseResult[]): string[] {
  const lines = ['', 'Summary'];
  results.forEach((result, index) => {
    const verdict = result.phase === result.expected ? 'as expected' : `expected ${result.expected}`;
    lines.push(
      `  ${index + 1}. ${result.label.padEnd(4)} ${result.version}: ${result.phase} after ${seconds(result.durationMs)} (${verdict})`,
    );
    for (const line of result.deciding) lines.push(`       ${line}`);
    for (const note of result.notes) lines.push(`       ${note}`);
  });
  const allExpected = results.every((result) => result.phase === result.expected);
  lines.push(
    '',
    allExpected
      ? 'serin promoted the good version and rolled the bad one back on its own, from the measurements.'
      : 'Some releases did not end as expected (see above).',
    '',
  );
  return lines;
}

/** What to run against a kept demo. */
export function keepLines(options: { kubeconfig: string; namespace: string }): string[] {
  const kubectl = `kubectl --kubeconfig ${options.kubeconfig}`;
  return [
    'Everything keeps running (--keep): the API simulator, the emulators, Prometheus and the controller.',
    `  kubeconfig: ${options.kubeconfig}`,
    `  watch:      ${kubectl} get canaries -n ${options.namespace} -w`,
    `  release:    ${kubectl} -n ${options.namespace} set image deployment/podinfo podinfo=ghcr.io/stefanprodan/podinfo:6.8.0`,
    'Press Ctrl-C to stop.',
    '',
  ];
}
