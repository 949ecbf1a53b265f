import { useEffect, useState } from 'preact/hooks';
import type { CanaryListItem, ListMessage } from '../api-types.ts';
import { follow, type StreamState } from './api.ts';
import { LiveState, Phase, WeightBar } from './parts.tsx';

function keyOf(item: { namespace: string; name: string }): string {
  return `${item.namespace}/${item.name}`;
}

/** Applies one stream message to the list. */
function apply(items: Map<string, CanaryListItem>, message: ListMessage): Map<string, CanaryListItem> {
  switch (message.type) {
    case 'snapshot':
      return new Map(message.items.map((item) => [keyOf(item), item]));
    case 'upsert':
      return new Map(items).set(keyOf(message.item), message.item);
    case 'delete': {
      const next = new Map(items);
      next.delete(keyOf(message));
      return next;
    }
    case 'error':
      return items;
  }
}

/** Every Canary the user may list, live from the server's watch. */
export function CanaryList(props: { allNamespaces: boolean }) {
  const [items, setItems] = useState<Map<string, CanaryListItem> | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [state, setState] = useState<StreamState>('connecting');
  useEffect(
    () =>
      follow(
        '/api/canaries/stream',
        (data) => {
          const message = data as ListMessage;
          setError(message.type === 'error' ? message.message : undefined);
          setItems((current) => apply(current ?? new Map<string, CanaryListItem>(), message));
        },
        setState,
      ),
    [],
  );
  useEffect(() => {
    if (items !== undefined && !performance.getEntriesByName('serin-list-rendered').length)
      performance.mark('serin-list-rendered', { detail: items.size });
  }, [items]);
  const rows = [...(items?.values() ?? [])].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">
        Canaries <LiveState state={state} />
      </h1>
      {error === undefined ? null : (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {items === undefined ? (
        <p class="loading">Loading Canaries…</p>
      ) : rows.length === 0 ? (
        <p>No Canaries here.</p>
      ) : (
        <table class="canaries">
          <thead>
            <tr>
              {props.allNamespaces ? <th scope="col">Namespace</th> : null}
              <th scope="col">Name</th>
              <th scope="col">Phase</th>
              <th scope="col">Step</th>
              <th scope="col">Weights (primary/canary)</th>
              <th scope="col">Waits for</th>
              <th scope="col">Analysis</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((item) => (
              <tr key={keyOf(item)} data-canary={keyOf(item)} data-phase={item.phase}>
                {props.allNamespaces ? <td>{item.namespace}</td> : null}
                <td>
                  <a href={`#/canary/${encodeURIComponent(item.namespace)}/${encodeURIComponent(item.name)}`}>
                    {item.name}
                  </a>
                </td>
                <td>
                  <Phase phase={item.phase} text={item.phaseText} />
                </td>
                <td class="step">{item.step === null ? '-' : `${item.step.number}/${item.step.total}`}</td>
                <td>
                  <WeightBar {...item.weights} />
                </td>
                <td>{item.waiting}</td>
                <td>{item.analysis}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
