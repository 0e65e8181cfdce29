// The tools an analysis agent calls (spec §12): every call goes through the
// agent's tool profile, asked of the database at the moment of the call
// (eva.fn_tool_permit: a profile changed meanwhile applies to the next call),
// and is recorded — agent, tool, allowed or not and why, duration, bytes.
// A refused call never runs: it throws ToolRefused with the reason.
import { sql } from "kysely";
import { type Database, withRole } from "../db/client.ts";
import { keywordSearch, type SearchHit } from "../intelligence/search.ts";
import { type FetchedPage, FetchFailed, type FetchLimits, fetchUrl } from "./fetch-url.ts";
import { type Permit, recordToolCall, toolPermit } from "./policy.ts";

export type ToolName = "read_venture" | "search" | "fetch_url" | "write_artifact";

export class ToolRefused extends Error {
  readonly agent: string;
  readonly tool: string;
  readonly profile: string | null;
  readonly reason: string;
  constructor(agent: string, tool: string, permit: Permit) {
    super(`tool call refused: ${permit.reason}`);
    this.name = "ToolRefused";
    this.agent = agent;
    this.tool = tool;
    this.profile = permit.profile;
    this.reason = permit.reason;
  }
}

export interface ToolboxOptions {
  limits?: { fetch?: FetchLimits };
  /** The venture the calls are made for, recorded with each call. */
  ventureId?: string | null;
}

export interface VentureView {
  venture: Record<string, unknown>;
  artifacts: { lifecycleStage: number; artifactType: string; version: number; content: unknown }[];
}

export interface ArtifactWrite {
  ventureId: string;
  lifecycleStage: number;
  artifactType: string;
  content: unknown;
  epistemicClassification: "fact" | "assumption" | "simulation" | "unknown";
  provenance?: Record<string, unknown>;
}

export interface Toolbox {
  readonly agent: string;
  /** Runs `run` as `tool` under the agent's profile: checked now, recorded after. */
  call<T>(
    tool: ToolName,
    detail: Record<string, unknown>,
    run: () => Promise<{ value: T; bytes?: number }>,
  ): Promise<T>;
  fetchUrl(url: string): Promise<FetchedPage>;
  search(query: string, options?: { ventureId?: string; stage?: number; limit?: number }): Promise<SearchHit[]>;
  readVenture(ventureId: string): Promise<VentureView>;
  writeArtifact(write: ArtifactWrite): Promise<{ id: string; version: number }>;
}

/**
 * The toolbox of `agent`. `db` is EVA's connection; the checks, the records
 * and the tools' own queries act as eva_service (workers' role), under RLS.
 */
export function createToolbox(db: Database, agent: string, options: ToolboxOptions = {}): Toolbox {
  const asService = <T>(fn: (trx: Database) => Promise<T>) =>
    withRole(db, "eva_service", (trx) => fn(trx as unknown as Database));
  const ventureId = options.ventureId ?? null;

  async function call<T>(
    tool: ToolName,
    detail: Record<string, unknown>,
    run: () => Promise<{ value: T; bytes?: number }>,
  ): Promise<T> {
    const permit = await asService((trx) => toolPermit(trx, agent, tool));
    if (!permit.allowed) {
      await asService((trx) =>
        recordToolCall(trx, {
          agent,
          tool,
          profile: permit.profile,
          allowed: false,
          reason: permit.reason,
          ventureId,
          detail,
        }),
      );
      throw new ToolRefused(agent, tool, permit);
    }
    const started = performance.now();
    try {
      const { value, bytes } = await run();
      await asService((trx) =>
        recordToolCall(trx, {
          agent,
          tool,
          profile: permit.profile,
          allowed: true,
          reason: permit.reason,
          ventureId,
          ok: true,
          durationMs: performance.now() - started,
          bytes: bytes ?? null,
          detail,
        }),
      );
      return value;
    } catch (error) {
      await asService((trx) =>
        recordToolCall(trx, {
          agent,
          tool,
          profile: permit.profile,
          allowed: true,
          reason: permit.reason,
          ventureId,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
          durationMs: performance.now() - started,
          bytes: error instanceof FetchFailed ? error.bytes : null,
          detail: { ...detail, ...(error instanceof FetchFailed ? { failure: error.kind } : {}) },
        }),
      );
      throw error;
    }
  }

  return {
    agent,
    call,
    fetchUrl: (url) =>
      call("fetch_url", { url }, async () => {
        const page = await fetchUrl(url, options.limits?.fetch ?? {});
        return { value: page, bytes: page.bytes };
      }),
    search: (query, o = {}) =>
      call("search", { query, ...o }, async () => {
        const hits = await asService((trx) => keywordSearch(trx, query, o));
        return { value: hits, bytes: Buffer.byteLength(JSON.stringify(hits)) };
      }),
    readVenture: (id) =>
      call("read_venture", { ventureId: id }, async () => {
        const view = await asService(async (trx) => {
          const { rows: ventures } = await sql<Record<string, unknown>>`
            select id, name, description, problem_statement, value_prop, target_market, archetype, status,
              current_lifecycle_stage from eva.ventures where id = ${id}::uuid`.execute(trx);
          const venture = ventures[0];
          if (!venture) throw new Error(`no venture ${id}`);
          const { rows } = await sql<VentureView["artifacts"][number]>`
            select lifecycle_stage as "lifecycleStage", artifact_type as "artifactType", version, content
            from eva.venture_artifacts where venture_id = ${id}::uuid and is_current order by lifecycle_stage, artifact_type`.execute(
            trx,
          );
          return { venture, artifacts: rows };
        });
        return { value: view, bytes: Buffer.byteLength(JSON.stringify(view)) };
      }),
    writeArtifact: (write) =>
      call(
        "write_artifact",
        { ventureId: write.ventureId, lifecycleStage: write.lifecycleStage, artifactType: write.artifactType },
        async () => {
          const content = JSON.stringify(write.content);
          const row = await asService(async (trx) => {
            const { rows } = await sql<{ id: string; version: number }>`
              insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification, provenance)
              values (${write.ventureId}::uuid, ${write.lifecycleStage}, ${write.artifactType}, ${content}::jsonb,
                ${write.epistemicClassification}::eva.epistemic_classification, ${JSON.stringify({ ...write.provenance, tool: "write_artifact", agent })}::jsonb)
              returning id, version`.execute(trx);
            const inserted = rows[0];
            if (!inserted) throw new Error("the artifact was not recorded");
            return inserted;
          });
          return { value: row, bytes: Buffer.byteLength(content) };
        },
      ),
  };
}
