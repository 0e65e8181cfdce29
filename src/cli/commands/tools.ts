// eva tools: the agent tool policy (spec §12) — the profiles and the tools
// each allows, EVA's analysis agents and their profiles, the record of every
// tool call, and the Chairman's reassignment of an agent's profile.
import type { Command } from "commander";
import { type Database, withRole } from "../../db/client.ts";
import { assignProfile, listAgents, listCalls, listProfiles } from "../../tools/policy.ts";
import { withSession } from "../database.ts";
import { printJson, printTable, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

const asChairman = <T>(db: Database, fn: (db: Database) => Promise<T>) =>
  withRole(db, "eva_chairman", (trx) => fn(trx as unknown as Database));

async function profiles(options: { json?: boolean }): Promise<void> {
  await withSession(async ({ connection }) => {
    const rows = await asChairman(connection.db, listProfiles);
    if (options.json) return printJson(rows);
    printTable(
      rows.map((r) => ({ ...r, tools: r.tools.join(", "), agents: r.agents.join(", ") })),
      [
        ["profile", "PROFILE"],
        ["tools", "TOOLS"],
        ["agents", "AGENTS"],
        ["description", "FOR"],
      ],
    );
  });
}

async function agents(options: { json?: boolean }): Promise<void> {
  await withSession(async ({ connection }) => {
    const rows = await asChairman(connection.db, listAgents);
    if (options.json) return printJson(rows);
    printTable(
      rows.map((r) => ({ ...r, tools: r.tools.join(", ") })),
      [
        ["agent", "AGENT"],
        ["profile", "PROFILE"],
        ["tools", "MAY CALL"],
        ["description", "WHAT IT IS"],
      ],
    );
  });
}

async function calls(options: { json?: boolean; agent?: string; limit?: string }): Promise<void> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UserError(`--limit must be a whole number from 1 to 1000, not "${options.limit}"`, 2);
  }
  await withSession(async ({ connection }) => {
    const rows = await asChairman(connection.db, (db) =>
      listCalls(db, { limit, ...(options.agent ? { agent: options.agent } : {}) }),
    );
    if (options.json) return printJson(rows);
    if (rows.length === 0) return void process.stdout.write("no tool call recorded yet\n");
    printTable(
      rows.map((r) => ({
        ...r,
        outcome: !r.allowed ? "refused" : r.ok ? "ok" : "failed",
        ms: r.durationMs ?? "",
        bytes: r.bytes ?? "",
        why: (r.allowed ? (r.error ?? "") : r.reason).replace(/\s+/g, " ").slice(0, 100),
      })),
      [
        ["at", "AT"],
        ["agent", "AGENT"],
        ["tool", "TOOL"],
        ["profile", "PROFILE"],
        ["outcome", "OUTCOME"],
        ["ms", "MS"],
        ["bytes", "BYTES"],
        ["why", "REASON / ERROR"],
      ],
    );
  });
}

export function registerTools(program: Command): void {
  const cmd = program
    .command("tools")
    .description(summaryOf("tools"))
    .option("--json", "print as JSON")
    .addHelpText(
      "after",
      `
Every tool call an analysis makes (fetch_url, search, read_venture,
write_artifact) is checked against its agent's profile when it is made
(eva.fn_tool_permit) and recorded, refused or not: a readonly agent cannot
write, a minimal one cannot reach the web.

Examples:
  eva tools profiles
  eva tools agents --json
  eva tools calls --agent competitor_teardown
  eva tools assign devils_advocate minimal`,
    )
    .action(async (options: { json?: boolean }) => profiles(options));
  cmd
    .command("profiles")
    .description(
      "the tool profiles (full, coding, readonly, minimal), the tools each allows and its agents (the default)",
    )
    .option("--json", "print [{ profile, description, tools, agents }]")
    .action(async (options: { json?: boolean }) => profiles({ json: options.json || cmd.opts().json }));
  cmd
    .command("agents")
    .description("EVA's analysis agents, the profile of each and the tools it may call")
    .option("--json", "print [{ agent, profile, description, tools, updatedAt }]")
    .action(async (options: { json?: boolean }) => agents({ json: options.json || cmd.opts().json }));
  cmd
    .command("calls")
    .description("the latest tool calls: agent, tool, allowed or refused and why, duration, bytes")
    .option("--agent <agent>", "only this agent's calls")
    .option("--limit <n>", "at most this many (default 50)")
    .option(
      "--json",
      "print [{ id, at, agent, tool, profile, allowed, ok, reason, error, durationMs, bytes, ventureId, detail }]",
    )
    .action(async (options: { json?: boolean; agent?: string; limit?: string }) =>
      calls({ ...options, json: options.json || cmd.opts().json }),
    );
  cmd
    .command("assign <agent> <profile>")
    .description("give an analysis agent another tool profile (the Chairman; applies to its next tool call)")
    .option("--json", "print { agent, profile }")
    .action(async (agent: string, profile: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const result = await asChairman(connection.db, (db) => assignProfile(db, agent, profile));
        if (options.json || cmd.opts().json) return printJson(result);
        process.stdout.write(`${result.agent} now has the ${result.profile} profile\n`);
      });
    });
}
