/**
 * Runs the simulator as a process: `tsx src/sim/kube/serve.ts --port 0`.
 * Prints one JSON line {url, kubeconfigPath} on stdout, then serves until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startKubeSim } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'crd-file': { type: 'string', multiple: true },
    'watch-timeout-seconds': { type: 'string' },
    'history-limit': { type: 'string' },
    namespace: { type: 'string', multiple: true },
  },
});

const sim = await startKubeSim({
  port: Number(values.port),
  ...(values['crd-file'] === undefined ? {} : { crdFiles: values['crd-file'] }),
  ...(values['watch-timeout-seconds'] === undefined
    ? {}
    : { watchTimeoutSeconds: Number(values['watch-timeout-seconds']) }),
  ...(values['history-limit'] === undefined ? {} : { historyLimit: Number(values['history-limit']) }),
  ...(values.namespace === undefined ? {} : { namespaces: values.namespace }),
});
process.stdout.write(`${JSON.stringify({ url: sim.url, kubeconfigPath: sim.kubeconfigPath })}\n`);

const shutdown = (): void => {
  void sim.stop().then(() => process.exit(0));
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
