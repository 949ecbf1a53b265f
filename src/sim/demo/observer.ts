import { parseKind, type Canary } from '../../api/index.ts';
import type { KubeClient } from '../../kube/index.ts';
import { canaryView, type CanaryView } from '../../readmodel/index.ts';
import { DemoError, pause } from './errors.ts';

/** The Canary as last read, parsed, and the view built from it. */
export interface Observed {
  readonly canary: Canary;
  readonly view: CanaryView;
}

/** Options for {@link startObserver}. */
export interface ObserverOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly name: string;
  /** Called with each fresh view (every poll). */
  readonly onView: (view: CanaryView) => void;
  /** How many Events each view keeps (default 5). */
  readonly maxEvents?: number;
  /** Poll period (default 250 ms: the live view's redraw rate). */
  readonly intervalMs?: number;
}

/** Follows one Canary by polling it with its Events and templates. */
export interface Observer {
  latest(): Observed | undefined;
  /** Polls until `check` holds; throws DemoError `Timeout` (saying what it waited for) or `Interrupted`. */
  waitFor(
    what: string,
    check: (observed: Observed) => boolean,
    options: { timeoutMs: number; signal: AbortSignal },
  ): Promise<Observed>;
  stop(): Promise<void>;
}

/** One line about where a Canary stands, for timeout messages. */
export function describeObserved(observed: Observed | undefined): string {
  if (observed === undefined) return 'the Canary was never read';
  const { view } = observed;
  const step = view.step === undefined ? '' : `, step ${view.step.number}/${view.step.total}`;
  return `phase ${view.phase}${step}, canary weight ${view.weights.canary}%, "${view.message ?? ''}"`;
}

async function readOnce(options: ObserverOptions): Promise<Observed | undefined> {
  const { client, namespace, name } = options;
  const [raw, events, templates] = await Promise.all([
    client.find({ apiVersion: 'serin.dev/v1alpha1', kind: 'Canary', namespace, name }),
    client.list('v1', 'Event', { namespace }),
    client.list('serin.dev/v1alpha1', 'AnalysisTemplate', { namespace }),
  ]);
  if (raw === undefined) return undefined;
  const parsed = parseKind('Canary', raw);
  if (!parsed.ok) return undefined;
  const view = canaryView({
    canary: parsed.value,
    events: events.items,
    templates: templates.items,
    maxEvents: options.maxEvents ?? 5,
  });
  return { canary: parsed.value, view };
}

/** Starts polling; the first view arrives within one period. */
export function startObserver(options: ObserverOptions): Observer {
  const intervalMs = options.intervalMs ?? 250;
  let latest: Observed | undefined;
  let stopped = false;
  const poll = async (): Promise<void> => {
    while (!stopped) {
      try {
        const observed = await readOnce(options);
        if (observed !== undefined) {
          latest = observed;
          options.onView(observed.view);
        }
      } catch {
        // A failed read (the simulator is stopping, a transient error): the next poll retries.
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  };
  const loop = poll();
  return {
    latest: () => latest,
    async waitFor(what, check, { timeoutMs, signal }) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const observed = latest;
        if (observed !== undefined && check(observed)) return observed;
        if (Date.now() >= deadline) {
          throw new DemoError(
            'Timeout',
            `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}; last seen: ${describeObserved(observed)}`,
          );
        }
        await pause(Math.min(intervalMs, 100), signal);
      }
    },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
