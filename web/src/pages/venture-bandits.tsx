// A venture's bandit arms on its page: what the learning loop believes now
// about each channel, variant and send-time slot (posterior mean and exact
// 95 % interval, its status and observations), read with the page's one query
// (banditArmsAt in venture.tsx).

import { dateTime } from "../format.ts";
import type { VentureQuery } from "../gql/graphql.ts";

export type Arm = NonNullable<NonNullable<VentureQuery["banditArmsAt"]>["nodes"][number]>;

const SCOPE: Record<string, string> = { channel: "Channel", variant: "Variant", send_time: "Send time (UTC)" };

const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)}%`);

/** A variant arm is a variant id: shown short, its bandit (content/platform) by platform. */
function armLabel(a: Arm): string {
  const value = a.armValue ?? "";
  return a.scope === "variant" ? `${value.slice(0, 8)} (${(a.scopeKey ?? "").split("/")[1] ?? ""})` : value;
}

export function BanditArms(props: { arms: Arm[] }) {
  const { arms } = props;
  return (
    <section aria-labelledby="bandits-title">
      <h2 id="bandits-title">Learning loop: bandit arms</h2>
      {arms.length === 0 ? (
        <p class="muted">
          No bandit arms yet: Stage 11 seeds the channels, the schedule the variants, launch the send times.
        </p>
      ) : (
        <table class="queue" data-testid="bandit-arms">
          <caption class="visually-hidden">Bandit arms with posterior mean and 95 % interval</caption>
          <thead>
            <tr>
              <th scope="col">Scope</th>
              <th scope="col">Arm</th>
              <th scope="col">Status</th>
              <th scope="col">Observations</th>
              <th scope="col">Mean reward</th>
              <th scope="col">95 % interval</th>
              <th scope="col">Last picked</th>
            </tr>
          </thead>
          <tbody>
            {arms.map((a) => (
              <tr key={a.armId} class={a.status === "retired" ? "superseded" : ""}>
                <td>{SCOPE[a.scope ?? ""] ?? a.scope}</td>
                <td>{armLabel(a)}</td>
                <td>{a.status}</td>
                <td>{a.observations}</td>
                <td>{pct(a.posteriorMean)}</td>
                <td>
                  {pct(a.intervalLow)} – {pct(a.intervalHigh)}
                </td>
                <td>{a.lastSelectedAt ? dateTime(a.lastSelectedAt) : "never"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
