/** Import direction for serin: arrows point inward (see docs/architecture.md). */
const core = '^src/(api|machine|analysis|judge|readmodel|ports|import)/';
/** The on-call verbs (issue 14) and the module they share; the controller never needs them. */
const ONCALL_VERBS = 'get|status|promote|abort|retry|pause|resume|approval-verb|completion|dashboard';
/** The SRE verbs (issues 19, 20): history, scratch Prometheus servers, converters. */
const SRE_VERBS = 'import|tune|tune-history|replay';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-stays-pure',
      comment: 'The core never touches node:*, the network, Kubernetes or the logger.',
      severity: 'error',
      from: { path: core, pathNot: '\\.test\\.ts$' },
      to: {
        path: '^(node:|fs|path|http|https|net|child_process)$|@kubernetes/client-node|^pino$|prometheus-query|prom-client',
        dependencyTypes: ['core', 'npm', 'npm-dev', 'unknown', 'undetermined'],
      },
    },
    {
      name: 'core-does-not-import-adapters',
      severity: 'error',
      from: { path: core },
      to: { path: '^src/(controller|routers|providers|kube|notifiers|telemetry|cli|sim)/|^src/main\\.ts$' },
    },
    {
      name: 'machine-imports-only-xstate-zod-and-api',
      severity: 'error',
      from: { path: '^src/machine/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^src/(machine|api)/|xstate|zod' },
    },
    {
      name: 'judge-is-dependency-free',
      severity: 'error',
      from: { path: '^src/judge/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^src/judge/' },
    },
    {
      name: 'tune-does-not-import-the-controller',
      comment:
        'serin tune and replay run the core (analysis, machine, judge) against history; what they share ' +
        'with the controller lives in src/analysis, not in src/controller.',
      severity: 'error',
      from: { path: '^src/(tune/|cli/(tune|tune-history|replay)\\.ts$)', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/controller/' },
    },
    {
      name: 'only-kube-touches-client-node',
      severity: 'error',
      from: { pathNot: '^src/kube/|^test/|\\.test\\.ts$' },
      to: { path: '@kubernetes/client-node' },
    },
    {
      name: 'library-does-not-import-cli',
      severity: 'error',
      from: { pathNot: '^src/(cli|main\\.ts)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'controller-verb-never-reaches-the-sim',
      comment:
        'serin controller is what runs in the cluster: it must not load the simulator, the emulators, ' +
        'the demo or another verb (test/controller/process.test.ts checks the same at run time).',
      severity: 'error',
      from: {
        path: '^src/(cli/controller\\.ts|controller|kube|telemetry|routers|providers|notifiers)/?',
        pathNot: '\\.test\\.ts$',
      },
      to: {
        path: `^src/(sim/|cli/(demo|analyze|lint|judge|${ONCALL_VERBS}|${SRE_VERBS})\\.ts$)`,
        reachable: true,
      },
    },
    {
      name: 'dashboard-page-is-browser-only',
      comment:
        'src/dashboard/app is the page, bundled for the browser: it shares only the API types with the server ' +
        'and imports nothing of Node, Kubernetes or the core.',
      severity: 'error',
      from: { path: '^src/dashboard/app/' },
      to: { pathNot: '^src/dashboard/(app/|api-types\\.ts$)|^node_modules/(preact|uplot)/' },
    },
    {
      name: 'verbs-load-lazily',
      comment: 'main.ts and cli/index.ts import a verb module only dynamically, when that verb runs.',
      severity: 'error',
      from: { path: '^src/(main|cli/index)\\.ts$' },
      to: {
        path: `^src/(sim/|cli/(analyze|controller|demo|judge|lint|${ONCALL_VERBS}|${SRE_VERBS})\\.ts$)`,
        dependencyTypesNot: ['dynamic-import'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: 'node_modules' },
  },
};
