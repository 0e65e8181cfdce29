// What is due and when (spec §4, on the scheduler's clock): every venture's
// scheduled stage work (ops_cycle: the next Stage 24 run) and its next health
// check, with the cadence behind it (eva.fn_venture_schedule). Chairman only.
import { useEffect, useState } from "preact/hooks";
import { type ApiError, gql, present } from "../api.ts";
import { dateTime } from "../format.ts";
import type { ScheduleQuery } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { onLinkClick } from "../router.ts";

const SCHEDULE =
  graphql(`query Schedule { ventureSchedule(first: 1000) { totalCount nodes { ventureId ventureName kind dueAt riskBand
  cadenceSource cadenceInterval { days hours minutes } } } }`);

type Due = NonNullable<NonNullable<ScheduleQuery["ventureSchedule"]>["nodes"][number]>;

function every(i: Due["cadenceInterval"]): string {
  if (!i) return "—";
  const parts = [i.days ? `${i.days} d` : "", i.hours ? `${i.hours} h` : "", i.minutes ? `${i.minutes} min` : ""];
  return `every ${parts.filter(Boolean).join(" ") || "0 min"}`;
}

const KINDS: Record<string, string> = { ops_cycle: "ops cycle (Stage 24)", health_check: "health check" };

export function SchedulePage() {
  const [rows, setRows] = useState<Due[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    gql(SCHEDULE)
      .then((d) => setRows(present(d.ventureSchedule?.nodes ?? [])))
      .catch(setError);
  }, []);
  if (error?.code === "FORBIDDEN") {
    return (
      <section aria-labelledby="schedule-title">
        <h1 id="schedule-title">Schedule</h1>
        <p class="notice">The schedule is the Chairman's: your role may not read it.</p>
      </section>
    );
  }
  if (error) return <p class="error">{error.message}</p>;
  if (!rows) return <p>Loading…</p>;
  return (
    <section aria-labelledby="schedule-title">
      <h1 id="schedule-title">Schedule</h1>
      <p class="muted">
        What the master scheduler will run next, soonest first, on its own clock; each venture's cadence follows its
        health band unless the Chairman set one.
      </p>
      {rows.length === 0 ? (
        <p class="notice">
          Nothing is scheduled. A venture gets its ops cycles and health checks once the Chairman continues it at its
          Stage 25 review, or sets its cadence (<code>npx eva schedule set &lt;venture&gt; --ops-cycle 7d</code>).
        </p>
      ) : (
        <table class="queue">
          <caption class="visually-hidden">Scheduled work</caption>
          <thead>
            <tr>
              <th scope="col">Due</th>
              <th scope="col">Venture</th>
              <th scope="col">What</th>
              <th scope="col">Cadence</th>
              <th scope="col">Risk band</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.ventureId}-${r.kind}`}>
                <td>{dateTime(r.dueAt)}</td>
                <td>
                  <a href={`/ventures/${r.ventureId}`} onClick={onLinkClick}>
                    {r.ventureName}
                  </a>
                </td>
                <td>{r.kind === null ? "—" : (KINDS[r.kind] ?? r.kind.replace("stage_", "Stage "))}</td>
                <td>
                  {every(r.cadenceInterval)}
                  {r.cadenceSource
                    ? ` (${r.cadenceSource === "chairman" ? "set by the Chairman" : "from health"})`
                    : ""}
                </td>
                <td>{r.riskBand ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
