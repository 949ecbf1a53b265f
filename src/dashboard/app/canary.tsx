import { useEffect, useState } from 'preact/hooks';
import type {
  CanaryDetail,
  DetailMessage,
  HistoryAnswer,
  MarkPhase,
  MetricChart,
  Threshold,
} from '../api-types.ts';
import { Actions } from './actions.tsx';
import { detailStreamUrl, follow, history, type StreamState } from './api.ts';
import { Chart, type ChartSeries } from './chart.tsx';
import { LiveState, Phase, Table, WeightBar, timeText } from './parts.tsx';

const MARKS: readonly { phase: MarkPhase; label: string; color: string }[] = [
  { phase: 'Successful', label: 'pass', color: '#1a7f37' },
  { phase: 'Failed', label: 'fail', color: '#cf222e' },
  { phase: 'Inconclusive', label: 'inconclusive', color: '#bf8700' },
  { phase: 'Error', label: 'error', color: '#8250df' },
];

function thresholdText(t: Threshold): string {
  return `${t.from === 'success' ? 'passes at' : 'fails at'} result ${t.op} ${t.value}`;
}

/** The metric's measurements against its threshold, with Prometheus' recent history where reachable. */
function MetricPanel(props: { namespace: string; name: string; chart: MetricChart }) {
  const { chart } = props;
  const [past, setPast] = useState<HistoryAnswer | undefined>(undefined);
  useEffect(() => {
    if (!chart.hasHistory) return;
    let live = true;
    void history(props.namespace, props.name, chart.metric).then((answer) => {
      if (live) setPast(answer);
    });
    return () => {
      live = false;
    };
  }, [props.namespace, props.name, chart.metric, chart.points.length]);
  const pastPoints = past?.ok === true ? past.points : [];
  const times = [...new Set([...pastPoints.map(([t]) => t), ...chart.points.map((p) => p.t)])].sort(
    (a, b) => a - b,
  );
  const at = (list: readonly { t: number; v: number | null }[]): (number | null)[] => {
    const byTime = new Map(list.map((p) => [p.t, p.v]));
    return times.map((t) => byTime.get(t) ?? null);
  };
  // An error has no value: its mark sits on the threshold (or at 0), so it is still seen in time.
  const errorY = chart.threshold?.value ?? 0;
  const series: ChartSeries[] = [
    ...(pastPoints.length === 0
      ? []
      : [
          {
            label: 'Prometheus (recent)',
            color: '#8c959f',
            kind: 'line' as const,
            values: at(pastPoints.map(([t, v]) => ({ t, v }))),
          },
        ]),
    ...MARKS.map((mark) => ({
      label: mark.label,
      color: mark.color,
      kind: 'points' as const,
      values: at(
        chart.points
          .filter((p) => p.phase === mark.phase)
          .map((p) => ({ t: p.t, v: p.phase === 'Error' ? (p.value ?? errorY) : p.value })),
      ),
    })),
    ...(chart.threshold === null
      ? []
      : [
          {
            label: `threshold ${chart.threshold.op} ${chart.threshold.value}`,
            color: '#0969da',
            kind: 'dashed' as const,
            values: times.map(() => chart.threshold?.value ?? null),
          },
        ]),
  ];
  const counts = MARKS.map(
    (m) => `${chart.points.filter((p) => p.phase === m.phase).length} ${m.label}`,
  ).join(', ');
  return (
    <figure
      class="metric"
      data-metric={chart.metric}
      data-points={chart.points.filter((p) => p.value !== null).length}
      data-threshold={chart.threshold?.value ?? ''}
    >
      <figcaption>
        <strong>{chart.metric}</strong> — {chart.condition ?? 'condition unknown'}
        {chart.threshold === null ? '' : ` (${thresholdText(chart.threshold)})`}; {chart.points.length}{' '}
        measurements: {counts}
      </figcaption>
      {times.length === 0 ? (
        <p>No measurements yet.</p>
      ) : (
        <Chart
          title={`${chart.metric}: measured values and threshold`}
          times={times.map((t) => t / 1000)}
          series={series}
        />
      )}
      {chart.hasHistory && past?.ok === false ? (
        <p class="note">Recent history not shown: {past.reason}</p>
      ) : null}
      <details>
        <summary>Measurements of {chart.metric}</summary>
        <Table
          head={['Time', 'Value', 'Result', 'Message']}
          items={[...chart.points].reverse()}
          row={(p, i) => ({ key: `${p.t}-${i}`, cells: [timeText(p.t), p.value ?? '-', p.phase, p.message] })}
        />
      </details>
    </figure>
  );
}

function Steps(props: { steps: CanaryDetail['steps'] }) {
  return (
    <ol class="timeline" aria-label="Steps">
      {props.steps.map((step) => (
        <li
          key={step.number}
          class={`step-${step.state}`}
          aria-current={step.state === 'current' ? 'step' : undefined}
        >
          <span class="step-number">{step.number}</span> {step.description}
          {step.state === 'current' ? <span class="sr"> (current step)</span> : null}
        </li>
      ))}
    </ol>
  );
}

function WeightChart(props: { detail: CanaryDetail }) {
  const history = props.detail.weightHistory;
  if (history.length === 0) return null;
  // The last weight holds until now.
  const points = [...history, { t: Date.now(), canary: props.detail.weights.canary }];
  return (
    <figure class="weights-chart">
      <figcaption>Canary weight over time (since the dashboard started)</figcaption>
      <Chart
        title="Canary weight over time"
        times={points.map((p) => p.t / 1000)}
        yRange={[0, 100]}
        series={[
          { label: 'canary %', color: '#bf3989', kind: 'step', values: points.map((p) => p.canary) },
          { label: 'primary %', color: '#0969da', kind: 'step', values: points.map((p) => 100 - p.canary) },
        ]}
      />
    </figure>
  );
}

function Comparisons(props: { detail: CanaryDetail }) {
  if (props.detail.comparisons.length === 0) return null;
  return (
    <section aria-labelledby="judge-title">
      <h2 id="judge-title">Judge comparisons</h2>
      <Table
        head={['Time', 'Metric', 'Verdict', 'p-value', 'Shift', 'Interval']}
        items={[...props.detail.comparisons].reverse()}
        row={(c, i) => ({
          key: `${c.t}-${i}`,
          attrs: { title: c.message },
          cells: [
            timeText(c.t),
            c.metric,
            c.classification,
            c.pValue ?? '-',
            c.shift ?? '-',
            c.interval ?? '-',
          ],
        })}
      />
    </section>
  );
}

function Approvals(props: { detail: CanaryDetail }) {
  const { approvals, approvalHistory } = props.detail;
  return (
    <section aria-labelledby="approvals-title">
      <h2 id="approvals-title">Approvals</h2>
      {approvals.length === 0 && approvalHistory.length === 0 ? <p>None yet.</p> : null}
      {approvals.length === 0 ? null : (
        <Table
          class="approvals"
          caption="Approval objects, newest first"
          head={['Created', 'Action', 'By', 'Reason', 'Decision']}
          items={approvals}
          row={(a) => ({
            key: a.name,
            attrs: { 'data-approval': a.name, 'data-decision': a.phase },
            cells: [
              timeText(a.created),
              a.action,
              a.approver,
              a.reason,
              a.decision === '' ? a.phase : `${a.phase}: ${a.decision}`,
            ],
          })}
        />
      )}
      {approvalHistory.length === 0 ? null : (
        <Table
          caption="Recorded by the controller in status, oldest first"
          head={['Time', 'Action', 'By', 'Result', 'Reason']}
          items={approvalHistory}
          row={(a, i) => ({
            key: `${a.time}-${i}`,
            cells: [timeText(a.time), a.action, a.approver, a.result, a.reason],
          })}
        />
      )}
    </section>
  );
}

function Events(props: { detail: CanaryDetail }) {
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Recent Events</h2>
      {props.detail.events.length === 0 ? (
        <p>None.</p>
      ) : (
        <Table
          class="events"
          head={['Time', 'Type', 'Reason', 'Message']}
          items={props.detail.events}
          row={(e, i) => ({
            key: `${e.time}-${i}`,
            attrs: { class: e.type === 'Warning' ? 'warning' : '' },
            cells: [
              timeText(e.time),
              e.type,
              e.reason,
              e.count > 1 ? `${e.message} (×${e.count})` : e.message,
            ],
          })}
        />
      )}
    </section>
  );
}

/** One Canary, live. */
export function CanaryPage(props: { namespace: string; name: string }) {
  const [detail, setDetail] = useState<CanaryDetail | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [state, setState] = useState<StreamState>('connecting');
  useEffect(
    () =>
      follow(
        detailStreamUrl(props.namespace, props.name),
        (data) => {
          const message = data as DetailMessage;
          if (message.type === 'error') setError(message.message);
          else {
            setError(undefined);
            setDetail(message.detail);
          }
        },
        setState,
      ),
    [props.namespace, props.name],
  );
  return (
    <article aria-labelledby="canary-title">
      <p>
        <a href="#/">← All Canaries</a>
      </p>
      <h1 id="canary-title">
        {props.namespace}/{props.name} <LiveState state={state} />
      </h1>
      {error === undefined ? null : (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {detail === undefined ? (
        error === undefined ? (
          <p class="loading">Loading…</p>
        ) : null
      ) : (
        <>
          <dl class="summary">
            <dt>Phase</dt>
            <dd data-phase={detail.phase}>
              <Phase phase={detail.phase} text={detail.phaseText} />
            </dd>
            <dt>Weights</dt>
            <dd>
              <WeightBar {...detail.weights} /> primary {detail.weights.primary}%, canary{' '}
              {detail.weights.canary}%
            </dd>
            <dt>Waits for</dt>
            <dd>{detail.waiting.text}</dd>
            <dt>Revision</dt>
            <dd>
              {detail.revision} (stable {detail.stableRevision})
            </dd>
            {detail.message === '' ? null : (
              <>
                <dt>Message</dt>
                <dd>{detail.message}</dd>
              </>
            )}
          </dl>
          {detail.notes.map((note) => (
            <p class="note" key={note}>
              {note}
            </p>
          ))}
          <Actions
            namespace={detail.namespace}
            name={detail.name}
            phase={detail.phase}
            permission={detail.permission}
            hints={detail.actions}
            approvals={detail.approvals}
          />
          <section aria-labelledby="steps-title">
            <h2 id="steps-title">Steps</h2>
            <Steps steps={detail.steps} />
          </section>
          <WeightChart detail={detail} />
          <section aria-labelledby="metrics-title">
            <h2 id="metrics-title">Analysis</h2>
            {detail.metrics.length === 0 ? <p>No measurements for this revision yet.</p> : null}
            {detail.metrics.map((chart) => (
              <MetricPanel key={chart.metric} namespace={detail.namespace} name={detail.name} chart={chart} />
            ))}
          </section>
          <Comparisons detail={detail} />
          <Approvals detail={detail} />
          <Events detail={detail} />
        </>
      )}
    </article>
  );
}
