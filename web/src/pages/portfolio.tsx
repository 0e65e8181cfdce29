// The portfolio at a glance (spec §11): its vital signs (portfolio_metrics)
// and the health heatmap of every venture on the five dimensions
// (venture_health_heatmap), in one query. Missing figures say so.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, gql } from "../api.ts";
import { onLinkClick } from "../router.ts";

const PORTFOLIO = `query Portfolio {
  allPortfolioMetrics(first: 1) { nodes { venturesTotal venturesActive venturesAwaitingDecision venturesKilled venturesSunset
    venturesExited venturesPaused killRate successRate avgCycleDays autoProceedRate totalRevenue pendingDecisions } }
  allVentureHealthHeatmaps(first: 1000) { totalCount nodes { ventureId ventureName status lifecycleStage product market
    technical financial team overall band healthSource } }
}`;

type Metrics = Record<string, string | number | null>;
interface HeatRow {
  ventureId: string;
  ventureName: string;
  status: string;
  lifecycleStage: number;
  product: number | null;
  market: number | null;
  technical: number | null;
  financial: number | null;
  team: number | null;
  overall: number | null;
  band: string | null;
  healthSource: string | null;
}

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
  const [data, setData] = useState<{ metrics: Metrics | null; heat: HeatRow[]; total: number } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    gql<{
      allPortfolioMetrics: { nodes: Metrics[] };
      allVentureHealthHeatmaps: { totalCount: number; nodes: HeatRow[] };
    }>(PORTFOLIO)
      .then((d) =>
        setData({
          metrics: d.allPortfolioMetrics.nodes[0] ?? null,
          heat: d.allVentureHealthHeatmaps.nodes,
          total: d.allVentureHealthHeatmaps.totalCount,
        }),
      )
      .catch(setError);
  }, []);
  if (error) return <p class="error">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  const m = data.metrics;
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
          {data.heat.map((r) => (
            <tr key={r.ventureId}>
              <th scope="row">
                <a href={`/ventures/${r.ventureId}`} onClick={onLinkClick}>
                  {r.ventureName}
                </a>
              </th>
              <td>{r.status}</td>
              <td>{r.lifecycleStage}</td>
              {DIMENSIONS.map((d) => (
                <Cell key={d} value={r[d]} />
              ))}
              <td>{r.band ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
