// The portfolio at a glance (spec §11): its vital signs (portfolio_metrics)
// and the health heatmap of every venture on the five dimensions
// (venture_health_heatmap) and the same vital signs over time as charts
// (fn_portfolio_metrics_history), in one query. Missing figures say so: a
// period with nothing to count is a gap in the chart and "no data" in its table.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, gql, present } from "../api.ts";
import { Chart, type ChartSeries, loadPlot } from "../chart.tsx";
import { words } from "../content.tsx";
import type { PortfolioQuery } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { onLinkClick } from "../router.ts";

const PORTFOLIO = graphql(`query Portfolio {
  allPortfolioMetrics(first: 1) { nodes { venturesTotal venturesActive venturesAwaitingDecision venturesKilled venturesSunset
    venturesExited venturesPaused killRate successRate avgCycleDays autoProceedRate totalRevenue pendingDecisions } }
  allVentureHealthHeatmaps(first: 1000) { totalCount nodes { ventureId ventureName status lifecycleStage product market
    technical financial team overall band healthSource } }
  portfolioMetricsHistory(pPeriods: 12) { nodes { period periodStart periodEnd venturesCreated venturesEnded venturesKilled
    killRate outcomes successes successRate stageTransitions cycleDays dfeEvaluated autoProceedRate revenue revenueVentures
    revenueSimulated } }
}`);

/** Heatmap rows shown before "Show all". */
const HEAT_ROWS = 100;

const num = (v: string | null): number | null => (v === null ? null : Number(v));
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The vital signs over time: one chart per measure, each with its table; nothing computed here but the display. */
function History(props: { periods: Period[] }) {
  const ps = props.periods;
  if (ps.length === 0) return <p class="notice">No ventures yet: no history to chart.</p>;
  const x = ps.map((p) => Math.round(Date.parse(p.periodEnd ?? "") / 1000));
  const xLabels = ps.map(
    (p) => `${new Date(p.periodStart ?? "").toLocaleString()} – ${new Date(p.periodEnd ?? "").toLocaleTimeString()}`,
  );
  const span = `${ps.length} equal periods from the first venture's creation (${new Date(ps[0]?.periodStart ?? "").toLocaleString()}) to now`;
  const common = { x, xLabels, xTitle: "Period" };
  const series = (
    label: string,
    values: (number | null)[],
    format: (v: number) => string,
    color: string,
  ): ChartSeries => ({
    label,
    values,
    format,
    color,
  });
  const simulated = ps.some((p) => p.revenueSimulated);
  return (
    <div class="charts">
      <Chart
        id="rates"
        title="Kill rate and success rate"
        description={`Per period (${span}): ventures killed over ventures ended in it, and ventures that first reached Stage 23 or exited over ventures with any outcome in it. A gap: nothing ended or succeeded in that period.`}
        {...common}
        series={[
          series(
            "Kill rate",
            ps.map((p) => num(p.killRate)),
            pct,
            "#a40e26",
          ),
          series(
            "Success rate",
            ps.map((p) => num(p.successRate)),
            pct,
            "#116329",
          ),
        ]}
      />
      <Chart
        id="cycle"
        title="Cycle time (days a stage took)"
        description={`Per period: the mean days a stage took, over the stage transitions made in it (from the venture's previous transition, or its creation). A gap: no transition in that period.`}
        {...common}
        series={[
          series(
            "Days per stage",
            ps.map((p) => num(p.cycleDays)),
            (v) => `${v.toFixed(2)} days`,
            "#0b5cad",
          ),
        ]}
      />
      <Chart
        id="auto"
        title="AUTO_PROCEED rate"
        description="Per period: the share of Decision Filter Engine evaluations that proceeded without the Chairman. A gap: no evaluation in that period."
        {...common}
        series={[
          series(
            "AUTO_PROCEED rate",
            ps.map((p) => num(p.autoProceedRate)),
            pct,
            "#6639ba",
          ),
        ]}
      />
      <Chart
        id="revenue"
        title={simulated ? "Monthly revenue (includes simulated scorecards)" : "Monthly revenue"}
        description="At each period's end: the summed monthly revenue of every venture's latest Stage 24 launch scorecard. A gap: no scorecard reported revenue yet."
        {...common}
        series={[
          series(
            simulated ? "Revenue (simulation included)" : "Revenue",
            ps.map((p) => num(p.revenue)),
            (v) => v.toLocaleString(),
            "#9a6700",
          ),
        ]}
        note={
          simulated
            ? `Simulation: in period ${ps
                .filter((p) => p.revenueSimulated)
                .map((p) => p.period)
                .join(
                  ", ",
                )} (counting periods from 1) at least one summed scorecard is classified simulation, not measured.`
            : undefined
        }
      />
    </div>
  );
}

type Metrics = NonNullable<NonNullable<PortfolioQuery["allPortfolioMetrics"]>["nodes"][number]>;
type HeatRow = NonNullable<NonNullable<PortfolioQuery["allVentureHealthHeatmaps"]>["nodes"][number]>;
type Period = NonNullable<NonNullable<PortfolioQuery["portfolioMetricsHistory"]>["nodes"][number]>;

const DIMENSIONS = ["product", "market", "technical", "financial", "team", "overall"] as const;

function percent(v: string | number | null | undefined): string {
  return v === null || v === undefined ? "not yet known" : `${(Number(v) * 100).toFixed(1)}%`;
}

/** A score's cell: its band's colour (the Stage 25 bands) and the number itself, so colour is never the only cue. */
function Cell(props: { value: number | null }) {
  const v = props.value;
  const band = v === null ? "none" : v < 40 ? "critical" : v < 60 ? "fragile" : v < 80 ? "viable" : "strong";
  return <td class={`heat ${band}`}>{v === null ? "—" : v}</td>;
}

export function PortfolioPage() {
  const [data, setData] = useState<{
    metrics: Metrics | null;
    heat: HeatRow[];
    total: number;
    history: Period[];
  } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [allRows, setAllRows] = useState(false);
  useEffect(() => {
    loadPlot(); // the charts' library, fetched beside the data rather than after it
    gql(PORTFOLIO)
      .then((d) =>
        setData({
          metrics: present(d.allPortfolioMetrics?.nodes ?? [])[0] ?? null,
          heat: present(d.allVentureHealthHeatmaps?.nodes ?? []),
          total: d.allVentureHealthHeatmaps?.totalCount ?? 0,
          history: present(d.portfolioMetricsHistory?.nodes ?? []),
        }),
      )
      .catch(setError);
  }, []);
  if (error) return <p class="error">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  const m = data.metrics;
  // The weakest first (the view's order); a large portfolio's rest on request, so that the page, its charts
  // above all, is not held up laying out a row per venture.
  const heat = allRows ? data.heat : data.heat.slice(0, HEAT_ROWS);
  return (
    <section aria-labelledby="portfolio-title">
      <h1 id="portfolio-title">Portfolio</h1>
      {m && (
        <dl class="tiles">
          <div>
            <dt>Ventures</dt>
            <dd>
              {m.venturesTotal} ({m.venturesActive} active, {m.venturesAwaitingDecision} waiting for you)
            </dd>
          </div>
          <div>
            <dt>Kill rate</dt>
            <dd>{percent(m.killRate)}</dd>
          </div>
          <div>
            <dt>Success rate</dt>
            <dd>{percent(m.successRate)}</dd>
          </div>
          <div>
            <dt>Average cycle time</dt>
            <dd>{m.avgCycleDays === null ? "not yet known" : `${Number(m.avgCycleDays).toFixed(1)} days`}</dd>
          </div>
          <div>
            <dt>AUTO_PROCEED rate</dt>
            <dd>{percent(m.autoProceedRate)}</dd>
          </div>
          <div>
            <dt>Monthly revenue</dt>
            <dd>{m.totalRevenue === null ? "none measured yet" : Number(m.totalRevenue).toLocaleString()}</dd>
          </div>
          <div>
            <dt>Ended</dt>
            <dd>
              {m.venturesKilled} killed, {m.venturesSunset} sunset, {m.venturesExited} exited
            </dd>
          </div>
        </dl>
      )}
      <h2>Over time</h2>
      <History periods={data.history} />
      <h2>Health heatmap</h2>
      <p class="muted">
        Five dimensions, 0-100: from the Stage 25 venture review where there is one, else estimated from the quality of
        the venture's current artifacts; — where nothing measured it. Bands: under 40 critical, under 60 fragile, under
        80 viable, else strong.
      </p>
      <table class="heatmap">
        <caption class="visually-hidden">Venture health by dimension</caption>
        <thead>
          <tr>
            <th scope="col">Venture</th>
            <th scope="col">Status</th>
            <th scope="col">Stage</th>
            {DIMENSIONS.map((d) => (
              <th scope="col" key={d}>
                {d}
              </th>
            ))}
            <th scope="col">Band</th>
          </tr>
        </thead>
        <tbody>
          {heat.map((r) => (
            <tr key={r.ventureId}>
              <th scope="row">
                <a href={`/ventures/${r.ventureId}`} onClick={onLinkClick}>
                  {r.ventureName}
                </a>
              </th>
              <td>{r.status ? words(r.status) : "—"}</td>
              <td>{r.lifecycleStage}</td>
              {DIMENSIONS.map((d) => (
                <Cell key={d} value={r[d]} />
              ))}
              <td>{r.band ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {heat.length < data.heat.length && (
        <p>
          The weakest {heat.length} of {data.heat.length} ventures.{" "}
          <button type="button" onClick={() => setAllRows(true)}>
            Show all {data.heat.length}
          </button>
        </p>
      )}
    </section>
  );
}
