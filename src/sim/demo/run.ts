import { PLAIN_STYLE, renderCanaryView, type CanaryView } from '../../readmodel/index.ts';
import { startStack, type Stack } from '../stack.ts';
import { createLiveDisplay, createLogDisplay, type DemoDisplay, type ViewMode } from './display.ts';
import { DemoError } from './errors.ts';
import { startObserver, type Observer } from './observer.ts';
import { APP, type PromoteVerb, type ReleaseResult, type ScenarioContext } from './releases.ts';
import { badRelease, goodRelease } from './scenario.ts';
import { installDemo, waitForTraffic } from './setup.ts';
import { keepLines, summaryLines } from './summary.ts';

/** What the demo needs from its caller (the CLI verb). */
export interface DemoOptions {
  /** Requests per second the mesh emulator sends to the service. */
  readonly rps: number;
  /** After the scenario, keep everything running until `signal` fires. */
  readonly keep: boolean;
  readonly view: ViewMode;
  readonly out: (text: string) => void;
  /** Aborts the demo (SIGINT/SIGTERM); the stack is stopped either way. */
  readonly signal: AbortSignal;
  /** For the live view: the terminal's size, and whether to use colour. */
  readonly terminal?: { size: () => { columns: number; rows: number }; colour: boolean };
  readonly namespace?: string;
  /** How on-call approves: the `serin promote` verb, provided by the CLI. */
  readonly promote: PromoteVerb;
}

/** How the demo ended. */
export type DemoOutcome =
  | { kind: 'done'; releases: readonly ReleaseResult[] }
  | { kind: 'failed'; error: Error; releases: readonly ReleaseResult[] }
  | { kind: 'interrupted'; releases: readonly ReleaseResult[] };

function createDisplay(options: DemoOptions, namespace: string): DemoDisplay {
  if (options.view === 'log') return createLogDisplay({ write: options.out });
  return createLiveDisplay({
    write: options.out,
    title: `serin demo · namespace ${namespace} · ${options.rps} req/s`,
    size: options.terminal?.size ?? (() => ({ columns: 100, rows: 40 })),
    colour: options.terminal?.colour ?? false,
  });
}

async function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}

async function play(ctx: ScenarioContext, options: DemoOptions, releases: ReleaseResult[]): Promise<void> {
  const { display, stack, namespace } = ctx;
  await installDemo(stack, { namespace, rps: options.rps });
  display.say(
    `Applied the analysis templates and docs/examples (Deployment, VirtualService and Canary ${APP}) in namespace ${namespace}; load: ${options.rps} req/s to ${APP}.`,
  );
  await ctx.observer.waitFor('the Canary to be Idle (primary created)', ({ view }) => view.phase === 'Idle', {
    timeoutMs: 20_000,
    signal: ctx.signal,
  });
  display.say(
    'Canary Idle: serin created podinfo-primary and sends it all traffic. Waiting for Prometheus to see it...',
  );
  await waitForTraffic({
    prometheusUrl: stack.prometheus?.url ?? '',
    namespace,
    timeoutMs: 20_000,
    signal: ctx.signal,
  });
  display.say('Prometheus has data.');
  releases.push(await goodRelease(ctx));
  releases.push(await badRelease(ctx));
}

/** Runs the follow-up after the scenario: a log of further changes until the signal fires. */
async function keepRunning(
  ctx: ScenarioContext,
  options: DemoOptions & { startedAt: number },
  follow: (display: DemoDisplay) => void,
): Promise<void> {
  const { startedAt } = options;
  const kubeconfig = ctx.stack.sim.kubeconfigPath;
  for (const line of keepLines({ kubeconfig, namespace: ctx.namespace })) options.out(`${line}\n`);
  follow(createLogDisplay({ write: options.out, since: ctx.observer.latest()?.view, startedAt }));
  await untilAborted(options.signal);
  options.out('Stopping...\n');
}

function failureLines(error: Error, last: CanaryView | undefined): string[] {
  const lines = ['', `The demo stopped: ${error.message}`];
  if (last !== undefined) {
    const recent = { ...last, events: last.events.slice(-8) };
    lines.push('Last state of the Canary:', ...renderCanaryView(recent, PLAIN_STYLE));
  }
  return [...lines, ''];
}

/**
 * `serin demo`: starts the stack, installs the example, releases a good version (promoted after an
 * Approval) and a bad one (aborted), prints a summary, and always stops the stack.
 */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const namespace = options.namespace ?? 'demo';
  const startedAt = Date.now();
  let display = createDisplay(options, namespace);
  const releases: ReleaseResult[] = [];
  display.say(
    'Starting the Kubernetes API simulator, the workload and mesh emulators, Prometheus and the controller...',
  );
  let stack: Stack | undefined;
  let observer: Observer | undefined;
  try {
    stack = await startStack();
    observer = startObserver({
      client: stack.client,
      namespace,
      name: APP,
      maxEvents: options.view === 'log' ? 100 : 5,
      onView: (view) => {
        display.update(view);
      },
    });
    const ctx = { stack, observer, display, namespace, signal: options.signal, promote: options.promote };
    await play(ctx, options, releases);
    display.close();
    for (const line of summaryLines(releases)) options.out(`${line}\n`);
    if (options.keep) {
      await keepRunning(ctx, { ...options, startedAt }, (next) => {
        display = next;
      });
    }
    return { kind: 'done', releases };
  } catch (err) {
    display.close();
    if (err instanceof DemoError && err.code === 'Interrupted') return { kind: 'interrupted', releases };
    const error = err instanceof Error ? err : new Error(String(err));
    for (const line of failureLines(error, observer?.latest()?.view)) options.out(`${line}\n`);
    return { kind: 'failed', error, releases };
  } finally {
    await observer?.stop();
    await stack?.stop();
  }
}
