// eva gates replay: what-if without a model. Re-evaluates a venture's recorded
// gate outcomes and Decision Filter Engine evaluations from their recorded
// inputs, with preferences moved by --set. It opens no analyst: zero LLM calls.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { STAGE_GATE_TYPES } from "../../gates/index.ts";
import { type DfeView, type GateReplay, parseWhatIf, WHAT_IF_KEYS, WhatIfError } from "../../gates/replay.ts";
import { replayVentureGates } from "../../portfolio/gate-replay.ts";
import { withSession } from "../database.ts";
import { wholeNumber } from "../options.ts";
import { printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

/** A repeatable --set key=value, checked as it is read. */
function whatIfPair(value: string, previous: string[] = []): string[] {
  try {
    parseWhatIf([value]);
  } catch (error) {
    if (error instanceof WhatIfError) throw new UserError(`--set ${error.message}`, 2);
    throw error;
  }
  return [...previous, value];
}

const dfeCell = (d: DfeView | null) =>
  d ? `${d.output}${d.triggers.length ? ` (${d.triggers.join(", ")})` : ""}` : "";
const decisionCell = (decision: string | null, reality: string | null) =>
  `${decision ?? "—"}${reality ? ` (reality ${reality})` : ""}`;

function printReplays(rows: GateReplay[], whatIf: Record<string, string>): void {
  const set = Object.entries(whatIf);
  process.stdout.write(
    set.length
      ? `what-if: ${set.map(([k, v]) => `${k}=${v}`).join(", ")} (over the preferences recorded with each outcome)\n\n`
      : "replayed from the recorded inputs, preferences as they were\n\n",
  );
  printTable(
    rows.map((r) => ({
      stage: r.stage,
      gate: r.gate,
      run: r.run,
      recorded: decisionCell(r.recorded.decision, r.recorded.reality),
      replayed: decisionCell(r.replayed.decision, r.replayed.reality),
      dfeRecorded: dfeCell(r.recorded.dfe),
      dfeReplayed: r.replayed.dfe ? dfeCell(r.replayed.dfe) : "not replayed (see below)",
      changed: r.changed.length ? r.changed.join("; ") : "—",
    })),
    [
      ["stage", "STAGE"],
      ["gate", "GATE"],
      ["run", "RUN"],
      ["recorded", "RECORDED"],
      ["replayed", "REPLAYED"],
      ["dfeRecorded", "DFE RECORDED"],
      ["dfeReplayed", "DFE REPLAYED"],
      ["changed", "CHANGED"],
    ],
  );
  const notes = rows.filter((r) => r.replayed.reason);
  if (notes.length)
    process.stdout.write(`\n${notes.map((r) => `stage ${r.stage}: ${r.replayed.reason}`).join("\n")}\n`);
  const moved = rows.filter((r) => r.changed.length && r.replayed.rationale);
  if (moved.length)
    process.stdout.write(`\n${moved.map((r) => `stage ${r.stage} replayed: ${r.replayed.rationale}`).join("\n")}\n`);
}

export function registerGates(program: Command): void {
  const gates = program.command("gates").description(summaryOf("gates"));

  gates
    .command("replay <venture>")
    .description(
      "re-evaluate each recorded gate outcome (the current run of every gated stage) and its Decision Filter Engine from the recorded inputs, with zero LLM calls, and print recorded beside replayed",
    )
    .option("--stage <n>", "only this gated stage", wholeNumber("--stage", 1, 25))
    .option(
      "--set <key=value>",
      "move a preference for the replay (repeatable), e.g. stage3.pass_threshold=75",
      whatIfPair,
    )
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      `\nKeys for --set (Chairman preference keys; a dot reads as _):\n${Object.entries(WHAT_IF_KEYS)
        .map(([k, what]) => `  ${k}\n      ${what}`)
        .join("\n")}`,
    )
    .action(async (ref: string, options: { stage?: number; set?: string[]; json?: boolean }) => {
      if (options.stage !== undefined && !STAGE_GATE_TYPES[options.stage]) {
        throw new UserError(
          `--stage ${options.stage}: stage ${options.stage} has no gate (gated stages: ${Object.keys(STAGE_GATE_TYPES).join(", ")})`,
          2,
        );
      }
      const whatIf = parseWhatIf(options.set ?? []);
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          return replayVentureGates(trx, venture.id, {
            ...(options.stage !== undefined ? { stage: options.stage } : {}),
            whatIf,
          });
        });
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(
            options.stage !== undefined
              ? `no recorded gate outcome at stage ${options.stage}\n`
              : "no recorded gate outcomes yet\n",
          );
          return;
        }
        printReplays(rows, whatIf);
      });
    });
}
