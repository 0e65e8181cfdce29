// A chart (uPlot, canvas) with its data as a table beside it: the table is
// what a screen reader reads and what the numbers are; the canvas is hidden
// from assistive technology and carries an aria description in the figure's
// caption. Missing values are gaps in the line (never joined across) and
// "no data" in the table; a series drawn from simulations says so in its label.
import { useEffect, useRef } from "preact/hooks";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** How a value reads in the table and the tooltip ("12.5%", "3.2 days"). */
  format: (v: number) => string;
  color: string;
}

export interface ChartProps {
  id: string;
  title: string;
  /** What the chart shows, in words (the figure's caption, also its aria description). */
  description: string;
  /** The x axis: one label per point, shown in the table's first column. */
  xLabels: string[];
  /** The x positions (unix seconds for time, or 1..n for categories). */
  x: number[];
  xTitle: string;
  series: ChartSeries[];
  kind?: "line" | "bars";
  /** A note under the chart (what is simulated, what is missing). */
  note?: string;
}

let plotModule: Promise<typeof import("./plot.ts")> | undefined;
/**
 * uPlot, loaded once: by the first chart drawn, or earlier by a page that will draw charts (while its data
 * is on the way). Never by the app itself: the queue never waits for it.
 */
export function loadPlot(): Promise<typeof import("./plot.ts")> {
  plotModule ??= import("./plot.ts");
  return plotModule;
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: { destroy(): void } | null = null;
    let gone = false;
    loadPlot().then(({ draw }) => {
      if (!gone) plot = draw(el, props);
    });
    return () => {
      gone = true;
      plot?.destroy();
    };
  }, [props]);
  return (
    <figure class="chart" aria-labelledby={`${props.id}-title`} data-testid={`chart-${props.id}`}>
      <h3 id={`${props.id}-title`}>{props.title}</h3>
      <figcaption id={`${props.id}-desc`} class="muted">
        {props.description}
      </figcaption>
      <div
        ref={box}
        class="plot"
        role="img"
        aria-label={`${props.title}: chart; the same figures are in the table below.`}
      />
      {props.note && <p class="note">{props.note}</p>}
      <details>
        <summary>{props.title}: the figures</summary>
        <table class="queue" data-testid={`chart-${props.id}-table`}>
          <caption class="visually-hidden">{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{props.xTitle}</th>
              {props.series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.xLabels.map((label, i) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {props.series.map((s) => {
                  const v = s.values[i];
                  return <td key={s.label}>{v === null || v === undefined ? "no data" : s.format(v)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
