import type { ComponentChildren } from 'preact';
import type { StreamState } from './api.ts';

/** Primary and canary weight as a bar, with the numbers as text for screen readers. */
export function WeightBar(props: { primary: number; canary: number }) {
  return (
    <span class="weights" role="img" aria-label={`primary ${props.primary}%, canary ${props.canary}%`}>
      <span class="bar">
        <span class="primary" style={{ width: `${props.primary}%` }} />
        <span class="canary" style={{ width: `${props.canary}%` }} />
      </span>
      <span class="weight-text" aria-hidden="true">
        {props.primary}/{props.canary}
      </span>
    </span>
  );
}

/** A phase as a coloured badge. */
export function Phase(props: { phase: string; text: string }) {
  return <span class={`phase phase-${props.phase.toLowerCase()}`}>{props.text}</span>;
}

/** Whether the page is receiving changes. */
export function LiveState(props: { state: StreamState }) {
  const text = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' }[props.state];
  return (
    <span class={`live live-${props.state}`} role="status" aria-live="polite">
      {text}
    </span>
  );
}

/** A local time of day for an RFC 3339 time or epoch ms. */
export function timeText(time: string | number): string {
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString();
}

/** One row of a {@link Table}: its key, its cells in column order, and attributes of the `<tr>`. */
export interface TableRow {
  readonly key: string;
  readonly cells: readonly ComponentChildren[];
  readonly attrs?: Readonly<Record<string, string | undefined>>;
}

/** A table with a header row of column titles and one row per item; every table of the page is one. */
export function Table<T>(props: {
  readonly class?: string;
  readonly caption?: string;
  readonly head: readonly string[];
  readonly items: readonly T[];
  readonly row: (item: T, index: number) => TableRow;
}) {
  return (
    <table class={props.class}>
      {props.caption === undefined ? null : <caption>{props.caption}</caption>}
      <thead>
        <tr>
          {props.head.map((title) => (
            <th key={title} scope="col">
              {title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.items.map((item, index) => {
          const { key, cells, attrs } = props.row(item, index);
          return (
            <tr key={key} {...attrs}>
              {cells.map((cell, column) => (
                <td key={column}>{cell}</td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
