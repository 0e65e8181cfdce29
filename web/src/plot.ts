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
      scales: {
        x: { time: !bars, ...(bars ? { range: (_u, lo, hi) => [lo - 0.6, hi + 0.6] } : {}) },
        // Bars start at zero: the axis always holds 0, so a bar's length is its value.
        ...(bars
          ? {
              y: {
                range: (_u: uPlot, lo: number, hi: number): uPlot.Range.MinMax => {
                  const [a, b] = [Math.min(0, lo), Math.max(0, hi)];
                  const pad = (b - a) * 0.1 || 1;
                  return [a < 0 ? a - pad : 0, b > 0 ? b + pad : 0];
                },
              },
            }
          : {}),
      },
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
