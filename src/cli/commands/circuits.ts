// eva circuits: the circuit breakers (spec §3) per venture and per provider —
// their state, failures, when they opened and half-open, the last error —
// and the Chairman's reset (eva.fn_circuit_reset, audited).
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { listCircuits, resetCircuits } from "../../orchestration/circuit-breakers.ts";
import { withSession } from "../database.ts";
import { printJson, printTable } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

async function list(options: { json?: boolean }): Promise<void> {
  await withSession(async ({ connection }) => {
    const { now, circuits } = await withRole(connection.db, "eva_chairman", (trx) => listCircuits(trx));
    if (options.json) return printJson(circuits);
    process.stdout.write(`breaker time: ${now}\n`);
    if (circuits.length === 0) return void process.stdout.write("no circuit breaker has seen a failure yet\n");
    printTable(
      circuits.map((c) => ({
        ...c,
        venture: c.venture ?? "(provider)",
        failures: `${c.failures}/${c.threshold}`,
        openedAt: c.openedAt ?? "",
        halfOpensAt: c.halfOpensAt ?? "",
        lastError: (c.lastError ?? "").replace(/\s+/g, " ").slice(0, 80),
      })),
      [
        ["venture", "VENTURE"],
        ["service", "SERVICE"],
        ["state", "STATE"],
        ["failures", "FAILURES"],
        ["openedAt", "OPENED AT"],
        ["halfOpensAt", "HALF-OPENS AT"],
        ["lastError", "LAST ERROR"],
      ],
    );
  });
}

export function registerCircuits(program: Command): void {
  const cmd = program
    .command("circuits")
    .description(summaryOf("circuits"))
    .option(
      "--json",
      'print [{ "venture", "service", "state", "failures", "openedAt", "halfOpensAt", "lastError", … }]',
    )
    .addHelpText(
      "after",
      `
A venture's breaker (service llm) counts its model calls' consecutive failures
(transport errors, timeouts, HTTP 5xx/429 — not invalid answers); a provider's
(service provider:<host>) counts every venture's calls to that host. Three in a
row open it: its stage runs make no call and wait; after the cooldown (5
minutes, on the breakers' clock eva.fn_circuit_now()) one trial call runs
half-open: success closes it, failure opens it again.

Examples:
  eva circuits
  eva circuits list --json
  eva circuits reset LedgerLoop
  eva circuits reset LedgerLoop --service llm
  eva circuits reset --service provider:api.openai.com`,
    )
    .action(async (options: { json?: boolean }) => list(options));

  cmd
    .command("list")
    .description("every circuit breaker with its state (the default)")
    .option("--json", "print the breakers as JSON")
    .action(async (options: { json?: boolean }) => list({ json: options.json || cmd.opts().json }));

  cmd
    .command("reset [venture]")
    .description("close a venture's circuit breakers (or one --service; a provider's with --service provider:<host>)")
    .option("--service <service>", "only this service (llm, or provider:<host> without a venture)")
    .option("--json", "print the result as JSON")
    .action(async (ref: string | undefined, options: { service?: string; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const result = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = ref ? await namedVenture(trx, ref, { what: "venture", exitCode: 2 }) : null;
          const reset = await resetCircuits(trx, venture?.id ?? null, options.service);
          return { venture: venture?.name ?? null, service: options.service ?? null, reset };
        });
        if (options.json || cmd.opts().json) return printJson(result);
        const what = `${result.venture ?? "provider"}${result.service ? ` (${result.service})` : ""}`;
        process.stdout.write(
          result.reset === 0
            ? `${what}: no circuit breaker has seen a failure: nothing to reset\n`
            : `${what}: ${result.reset} circuit breaker(s) closed\n`,
        );
      });
    });
}
