// While `eva start` serves: one line per significant event (decision
// requested / made, stage advanced, venture killed or ended, notification
// sent), read from the gap-free feed eva.fn_event_feed after its cursor and
// woken by LISTEN eva_events (a wake-up only; the feed is the truth). An
// event whose transaction commits late is listed on a later read: the
// watcher also reads every few seconds.
import pg from "pg";

export interface FeedEvent {
  event_type: string;
  venture_id: string | null;
  payload: Record<string, unknown>;
  cursor: string;
}

const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : "");

/** The line an event prints, or null when it is not one a person watching needs. Pure. */
export function eventLine(e: FeedEvent, venture: string | null): string | null {
  const who = venture ?? "portfolio";
  const p = e.payload;
  switch (e.event_type) {
    case "chairman.decision_requested":
      return `decision requested: ${who}, stage ${text(p.stage)} ${text(p.decision_type)} (${text(p.urgency) || "immediate"}${p.recommended_action ? `, recommended ${text(p.recommended_action)}` : ""}) — ${text(p.decision_id)}`;
    case "chairman.approval":
    case "chairman.rejection":
    case "chairman.override":
      return `decision made: ${who}, stage ${text(p.stage)} ${text(p.decision_type)} → ${text(p.decision)}`;
    case "stage.entered":
      return `${who} entered stage ${text(p.to_stage)}${p.from_stage ? ` (from ${text(p.from_stage)})` : ""}`;
    case "stage.blocked":
    case "stage.failed":
      return `${who}: stage ${text(p.stage)} ${e.event_type.slice(6)}${p.reason ? `: ${text(p.reason)}` : ""}`;
    case "venture.killed":
    case "venture.sunset":
    case "venture.exited": {
      const what = e.event_type.slice(8);
      const reason = text(p.reason);
      // "killed at stage 3: …" says what happened itself; another reason follows the word.
      return reason.startsWith(`${what} `) ? `${who} ${reason}` : `${who} ${what}${reason ? `: ${reason}` : ""}`;
    }
    case "venture.created":
      return `${who} created`;
    default:
      if (e.event_type.startsWith("notification."))
        return `notification ${e.event_type.slice(13)}: ${who}${p.summary ? ` — ${text(p.summary)}` : ""}`;
      return null;
  }
}

export interface EventWatcher {
  stop(): Promise<void>;
}

/** Prints a line per significant event from now on, until stopped. */
export async function watchEvents(url: string, print: (line: string) => void, pollMs = 3_000): Promise<EventWatcher> {
  const client = new pg.Client({ connectionString: url, application_name: "eva-start-events" });
  await client.connect();
  await client.query("set role eva_chairman");
  await client.query("listen eva_events");
  let cursor = (await client.query<{ c: string }>("select eva.fn_event_cursor() as c")).rows[0]?.c ?? null;
  const names = new Map<string, string>();
  let stopped = false;
  let reading: Promise<void> = Promise.resolve();
  let again = false;

  const read = async () => {
    for (;;) {
      const { rows } = await client.query<FeedEvent>(
        "select event_type, venture_id, payload, cursor from eva.fn_event_feed($1, 200)",
        [cursor],
      );
      for (const e of rows) {
        let name: string | null = null;
        if (e.venture_id) {
          name = names.get(e.venture_id) ?? null;
          if (!name) {
            name =
              (await client.query<{ name: string }>("select name from eva.ventures where id = $1", [e.venture_id]))
                .rows[0]?.name ?? e.venture_id;
            names.set(e.venture_id, name);
          }
        }
        const line = eventLine(e, name);
        if (line) print(line);
        cursor = e.cursor;
      }
      if (rows.length < 200) return;
    }
  };
  const wake = () => {
    if (stopped) return;
    if (again) return;
    again = true;
    reading = reading
      .then(async () => {
        again = false;
        if (!stopped) await read();
      })
      .catch((error: unknown) => {
        if (!stopped) print(`event feed: ${error instanceof Error ? error.message : String(error)}`);
      });
  };
  client.on("notification", wake);
  client.on("error", () => {});
  const timer = setInterval(wake, pollMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await reading;
      await client.end().catch(() => {});
    },
  };
}
