// The charts' drawing (uPlot), in its own chunk: loaded by the first chart shown.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ChartProps } from "./chart.tsx";

export function draw(el: HTMLElement, props: ChartProps): uPlot {
  const bars = props.kind === "bars";
  return new uPlot(
    {
      width: Math.max(280, Math.min(el.clientWidth || 640, 900)),
      height: 220,
      legend: { show: props.series.length > 1 },
      cursor: { show: true, points: { show: !bars } },
      scales: { x: { time: !bars, ...(bars ? { range: (_u, lo, hi) => [lo - 0.6, hi + 0.6] } : {}) } },
      axes: [
        bars ? { values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? String(s) : "")) } : {},
        { size: 60 },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: bars ? `${s.color}99` : undefined,
          width: 2,
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? "no data" : s.format(v)),
          ...(bars
            ? { paths: uPlot.paths.bars?.({ size: [0.6, 80] }), points: { show: false } }
            : { points: { show: true, size: 6 } }),
        })),
      ],
    },
    [props.x, ...props.series.map((s) => s.values)] as uPlot.AlignedData,
    el,
  );
}
