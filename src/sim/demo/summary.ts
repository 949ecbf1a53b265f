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
  const ns = options.namespace;
  return [
    'Everything keeps running (--keep) until Ctrl-C: the API simulator, the emulators, Prometheus and the controller.',
    `  kubeconfig: ${options.kubeconfig}`,
    `  watch:      ${kubectl} get canaries -n ${ns} -w`,
    `  details:    ${kubectl} get canary podinfo -n ${ns} -o yaml`,
    `  release:    ${kubectl} -n ${ns} set env deployment/podinfo DEMO_ERROR_RATE=0`,
    '  approve:    see docs/demo.md (an Approval names the revision and step it approves)',
    'From here on, one line per change of the Canary:',
    '',
  ];
}
