// Agent tool policy (spec §12) as data: the tools, the profiles full / coding
// / readonly / minimal and which tools each allows, the analysis agents and
// their profiles, every tool call recorded. The check itself is SQL
// (eva.fn_tool_permit), asked at each call by the toolbox (./toolbox.ts).
import { sql } from "kysely";
import type { Database } from "../db/client.ts";

export interface Permit {
  allowed: boolean;
  profile: string | null;
  reason: string;
}

/** Asks the database, now, whether `agent` may call `tool` (never cached). */
export async function toolPermit(db: Database, agent: string, tool: string): Promise<Permit> {
  const { rows } =
    await sql<Permit>`select allowed, profile, reason from eva.fn_tool_permit(${agent}, ${tool})`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("eva.fn_tool_permit returned no row");
  return row;
}

export interface ToolCallRecord {
  agent: string;
  tool: string;
  profile: string | null;
  allowed: boolean;
  reason: string;
  ventureId?: string | null;
  ok?: boolean | null;
  error?: string | null;
  durationMs?: number | null;
  bytes?: number | null;
  detail?: Record<string, unknown>;
}

/** Records one tool call (eva_private.fn_record_tool_call; the caller acts as eva_service). */
export async function recordToolCall(db: Database, call: ToolCallRecord): Promise<number> {
  const { rows } = await sql<{ id: string }>`
    select eva_private.fn_record_tool_call(${call.agent}, ${call.tool}, ${call.profile}, ${call.allowed}, ${call.reason},
      ${call.ventureId ?? null}::uuid, ${call.ok ?? null}, ${call.error ?? null},
      ${call.durationMs ?? null}::numeric, ${call.bytes ?? null}::bigint, ${JSON.stringify(call.detail ?? {})}::jsonb) as id`.execute(
    db,
  );
  return Number(rows[0]?.id);
}

export interface ProfileRow {
  profile: string;
  description: string;
  tools: string[];
  agents: string[];
}

export async function listProfiles(db: Database): Promise<ProfileRow[]> {
  const { rows } = await sql<ProfileRow>`
    select p.name as profile, p.description,
      coalesce((select array_agg(pt.tool order by pt.tool) from eva.tool_profile_tools pt where pt.profile = p.name), '{}') as tools,
      coalesce((select array_agg(a.name order by a.name) from eva.analysis_agents a where a.profile = p.name), '{}') as agents
    from eva.tool_profiles p
    order by array_length(coalesce((select array_agg(1) from eva.tool_profile_tools pt where pt.profile = p.name), '{}'), 1) desc nulls last, p.name`.execute(
    db,
  );
  return rows;
}

export interface AgentRow {
  agent: string;
  profile: string;
  description: string;
  tools: string[];
  updatedAt: string;
}

export async function listAgents(db: Database): Promise<AgentRow[]> {
  const { rows } = await sql<AgentRow>`
    select a.name as agent, a.profile, a.description,
      coalesce((select array_agg(pt.tool order by pt.tool) from eva.tool_profile_tools pt where pt.profile = a.profile), '{}') as tools,
      to_char(a.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "updatedAt"
    from eva.analysis_agents a order by a.name`.execute(db);
  return rows;
}

export interface CallRow {
  id: number;
  at: string;
  agent: string;
  tool: string;
  profile: string | null;
  allowed: boolean;
  ok: boolean | null;
  reason: string;
  error: string | null;
  durationMs: number | null;
  bytes: number | null;
  ventureId: string | null;
  detail: Record<string, unknown>;
}

export async function listCalls(db: Database, filter: { agent?: string; limit?: number } = {}): Promise<CallRow[]> {
  const { rows } = await sql<
    Omit<CallRow, "id" | "durationMs" | "bytes"> & { id: string; durationMs: string | null; bytes: string | null }
  >`
    select c.id, to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at, c.agent, c.tool, c.profile,
      c.allowed, c.ok, c.reason, c.error, round(c.duration_ms, 1) as "durationMs", c.bytes, c.venture_id as "ventureId", c.detail
    from eva.tool_calls c
    where (${filter.agent ?? null}::text is null or c.agent = ${filter.agent ?? null}::text)
    order by c.id desc limit ${filter.limit ?? 50}`.execute(db);
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    durationMs: r.durationMs === null ? null : Number(r.durationMs),
    bytes: r.bytes === null ? null : Number(r.bytes),
  }));
}

/** The Chairman gives `agent` the tool profile `profile` (eva.fn_tool_assign; the caller acts as eva_chairman). */
export async function assignProfile(
  db: Database,
  agent: string,
  profile: string,
): Promise<{ agent: string; profile: string }> {
  const { rows } = await sql<{
    name: string;
    profile: string;
  }>`select name, profile from eva.fn_tool_assign(${agent}, ${profile})`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("eva.fn_tool_assign returned no row");
  return { agent: row.name, profile: row.profile };
}
