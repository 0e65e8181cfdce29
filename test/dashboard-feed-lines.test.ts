// The event feed's lines (web/src/feed-lines.ts): each event in words a
// person reads, every part said once.
import { expect, it, describe as suite } from "vitest";
import { describe } from "../web/src/feed-lines.ts";

const event = (eventType: string, payload: Record<string, unknown>) =>
  ({ eventType, payload }) as unknown as Parameters<typeof describe>[0];

suite("the event feed's lines", () => {
  it("says a kill's reason once, not after the word again", () => {
    expect(describe(event("venture.killed", { reason: "killed at stage 3: momentum 42 < 50." }))).toBe(
      "killed at stage 3: momentum 42 < 50.",
    );
    expect(describe(event("venture.sunset", { reason: "the Chairman ended it" }))).toBe(
      "sunset: the Chairman ended it",
    );
    expect(describe(event("venture.activated", {}))).toBe("activated");
  });

  it("names the DFE's triggers, a saga's steps and a blocked stage's reason", () => {
    expect(
      describe(
        event("dfe.evaluated", {
          stage: 3,
          output: "PRESENT_TO_CHAIRMAN",
          triggers: [{ type: "low_score", value: 45.5 }, { type: "devils_advocate_challenge" }],
        }),
      ),
    ).toBe("Decision Filter Engine at Stage 3: PRESENT_TO_CHAIRMAN (low_score, devils_advocate_challenge)");
    expect(describe(event("dfe.evaluated", { stage: 4, output: "AUTO_PROCEED", triggers: [] }))).toBe(
      "Decision Filter Engine at Stage 4: AUTO_PROCEED",
    );
    expect(
      describe(event("saga.completed", { saga_type: "venture_retirement", steps: ["notify_users", "archive_code"] })),
    ).toBe("venture retirement completed: notify users, archive code");
    expect(describe(event("stage.blocked", { stage: 19, reason: "waiting for engineering" }))).toBe(
      "Stage 19 blocked: waiting for engineering",
    );
  });
});
