import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** One series of a chart; `values` align with the chart's times. */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
  /** A line (joining gaps), points only (measurement marks), a step line, or a dashed line (a threshold). */
  readonly kind: 'line' | 'points' | 'step' | 'dashed';
}

const noLine: uPlot.Series.PathBuilder = () => null;
const stepped: uPlot.Series.PathBuilder = uPlot.paths.stepped?.({ align: 1 }) ?? noLine;

function seriesOptions(s: ChartSeries): uPlot.Series {
  const base = { label: s.label, stroke: s.color, width: 2 };
  switch (s.kind) {
    case 'points':
      return { ...base, paths: noLine, points: { show: true, size: 9, fill: s.color, stroke: s.color } };
    case 'step':
      return { ...base, paths: stepped, points: { show: false }, spanGaps: true };
    case 'dashed':
      return { ...base, dash: [6, 4], points: { show: false }, spanGaps: true };
    case 'line':
      return { ...base, width: 1, points: { show: false }, spanGaps: true };
  }
}

/**
 * A time chart drawn by uPlot (times in epoch seconds). The legend names every series, and the
 * caller gives a text summary beside it, so a screen reader is not left with a bare canvas.
 */
export function Chart(props: {
  title: string;
  times: readonly number[];
  series: readonly ChartSeries[];
  yRange?: [number, number];
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = props.series.map((s) => `${s.label}:${s.kind}`).join('|');
  const data = [
    props.times as number[],
    ...props.series.map((s) => s.values as (number | null)[]),
  ] as uPlot.AlignedData;
  useEffect(() => {
    const el = box.current;
    if (el === null) return undefined;
    const range = props.yRange;
    plot.current = new uPlot(
      {
        width: Math.max(320, el.clientWidth || 640),
        height: 220,
        series: [{}, ...props.series.map(seriesOptions)],
        scales: { x: { time: true }, ...(range === undefined ? {} : { y: { range } }) },
        axes: [{}, { size: 60 }],
        cursor: { drag: { x: false, y: false } },
      },
      data,
      el,
    );
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its series change; new data is set below.
  }, [shape]);
  useEffect(() => {
    plot.current?.setData(data);
  });
  return <div class="chart" ref={box} aria-label={props.title} role="img" />;
}
