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
