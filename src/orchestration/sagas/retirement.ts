// The venture retirement saga (spec §14, §15, Decision #25): notify_users,
// export_data, teardown_infra, archive_code, retrospective. Each step is
// idempotent: what it wrote is keyed by the saga (archive keys, sub-steps,
// the retrospective's row), so a re-run after a crash repeats nothing done.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { sql } from "kysely";
import { z } from "zod";
import { EvaErrorCode, sqlState } from "../../db/errors.ts";
import { resendClient } from "../../marketing/email.ts";
import type { Rng } from "../../stages/types.ts";
import { writeArchive } from "../archive-store.ts";
import { type StepContext, StepError, type StepOutcome } from "./engine.ts";
import { callProvider, type InfraResource, providerBase, teardownOrder } from "./infra-provider.ts";

const DAY_MS = 86_400_000;

interface Substep {
  key: string;
  status: string;
  attempts: number;
  result: Record<string, unknown>;
}

async function substeps(ctx: StepContext): Promise<Map<string, Substep>> {
  const { rows } = await sql<Substep>`
    select key, status, attempts, result from eva.eva_saga_substeps
    where saga_id = ${ctx.saga.id}::uuid and step = ${ctx.step}`.execute(ctx.deps.db);
  return new Map(rows.map((r) => [r.key, r]));
}

async function recordSubstep(
  ctx: StepContext,
  key: string,
  status: "pending" | "completed" | "skipped" | "failed",
  position: number,
  result: Record<string, unknown> = {},
  error: string | null = null,
): Promise<void> {
  await sql`select eva_private.fn_saga_substep(${ctx.saga.id}::uuid, ${ctx.step}, ${key}, ${status}, ${position},
    ${JSON.stringify(result)}::jsonb, ${error})`.execute(ctx.deps.db);
}

function archivePrefix(ctx: StepContext): string {
  return `ventures/${ctx.saga.venture_id}/retirement-${ctx.saga.id}`;
}

/** The notification period fixed when the saga started (eva_private.fn_retirement_start). */
function noticeDays(ctx: StepContext): number {
  const days = Number(ctx.saga.context.notice_days ?? 30);
  return Number.isFinite(days) && days >= 0 ? days : 30;
}

/**
 * Step 1: the notice to the venture's users, then the notification period on
 * the scheduler's clock. The users EVA knows are the venture's email
 * subscribers (none suppressed); with an email client (RESEND_API_KEY) and a
 * sender domain each gets the notice once (sub-step notice:<address>, its
 * Idempotency-Key fixed by saga and address). The notice itself is recorded
 * once (sub-step notice:all), with whom it reached or why it reached nobody.
 */
async function notifyUsers(ctx: StepContext): Promise<StepOutcome> {
  const known = await substeps(ctx);
  let notice = known.get("notice:all")?.result as { notice: Record<string, unknown>; noticeUntil: string } | undefined;
  if (!notice) {
    const { rows } = await sql<{ name: string }>`
      select name from eva.ventures where id = ${ctx.saga.venture_id}::uuid`.execute(ctx.deps.db);
    const name = rows[0]?.name ?? "the venture";
    const days = noticeDays(ctx);
    const until = new Date(ctx.now.getTime() + days * DAY_MS);
    const subject = `${name} is closing`;
    const body =
      `${name} ${ctx.saga.context.ended_as === "exited" ? "is changing hands" : "is shutting down"}. ` +
      `Your data can be exported until ${until.toISOString().slice(0, 10)}; after that the service and its data are removed.`;
    const { rows: people } = await sql<{ email: string }>`
      select s.email from marketing.marketing_email_subscribers s
      where s.venture_id = ${ctx.saga.venture_id}::uuid
        and not exists (select 1 from marketing.marketing_email_suppressions x where x.venture_id = s.venture_id and x.email = s.email)
      order by s.email`.execute(ctx.deps.db);
    const { rows: domains } = await sql<{ domain: string }>`
      select domain from marketing.marketing_email_domains where venture_id = ${ctx.saga.venture_id}::uuid
      order by created_at, domain limit 1`.execute(ctx.deps.db);
    const client = resendClient(ctx.deps.env ?? process.env);
    const domain = domains[0]?.domain;
    const delivered: string[] = [];
    const refused: string[] = [];
    if (client && domain && people.length) {
      for (const [i, { email }] of people.entries()) {
        const key = `notice:${email}`;
        if (known.get(key)?.status === "completed") {
          delivered.push(email);
          continue;
        }
        const idempotencyKey = `eva-retirement-${ctx.saga.id}-${createHash("sha256").update(email).digest("hex").slice(0, 24)}`;
        const sent = await client.send(
          { from: `${name} <notices@${domain}>`, to: email, subject, text: body },
          idempotencyKey,
        );
        if (sent.ok) {
          await recordSubstep(ctx, key, "completed", i + 1, { resendId: sent.id });
          delivered.push(email);
        } else if (sent.retry) {
          throw new StepError(`the notice to ${email} was not sent (${sent.error}); retried`);
        } else {
          await recordSubstep(ctx, key, "failed", i + 1, {}, sent.error);
          refused.push(email);
        }
      }
    }
    const missing = [
      ...(people.length
        ? []
        : [
            "the venture has no email subscribers (ventures have no user table; its users are its marketing email subscribers)",
          ]),
      ...(domain ? [] : ["the venture has no sender domain (eva marketing email domain-add)"]),
      ...(client ? [] : ["no email client is configured (RESEND_API_KEY)"]),
    ];
    notice = {
      noticeUntil: until.toISOString(),
      notice: {
        subject,
        body,
        channels: ["email", "in-app"],
        noticeDays: days,
        recipients: delivered,
        ...(refused.length ? { refused } : {}),
        delivered: delivered.length > 0,
        honesty: delivered.length
          ? `Sent by email through Resend to ${delivered.length} subscriber${delivered.length === 1 ? "" : "s"}${refused.length ? `; refused for ${refused.length}` : ""}.`
          : `Recorded, not sent: ${missing.join("; ") || "every send was refused"}. ` +
            "The notice and its period are kept so the period is honoured.",
      },
    };
    await recordSubstep(ctx, "notice:all", "completed", 0, notice);
  }
  const until = new Date(notice.noticeUntil);
  if (ctx.now < until) return { status: "wait", until, progress: { noticeUntil: notice.noticeUntil } };
  return { status: "completed", result: { ...notice, periodEndedAt: ctx.now.toISOString() } };
}

/** Step 2: the venture's data as one gzipped JSON package in the archive store, with its checksum. */
async function exportData(ctx: StepContext): Promise<StepOutcome> {
  const upto = Number(ctx.saga.context.events_upto ?? 0);
  const { rows } = await sql<{ pkg: Record<string, unknown[]> }>`
    select eva_private.fn_venture_export(${ctx.saga.venture_id}::uuid, ${upto}::bigint) as pkg`.execute(ctx.deps.db);
  const pkg = rows[0]?.pkg;
  if (!pkg) throw new StepError("the venture's export came back empty");
  const data = gzipSync(Buffer.from(JSON.stringify(pkg)));
  const ref = await writeArchive(`${archivePrefix(ctx)}/export.json.gz`, data, { dir: ctx.deps.archiveDir });
  const counts = Object.fromEntries(
    ["artifacts", "decisions", "metrics", "events", "transitions"].map((k) => [k, pkg[k]?.length ?? 0]),
  );
  await sql`select eva_private.fn_venture_archive_record(${ctx.saga.id}::uuid, 'export', ${ref.key}, ${ref.uri},
    ${ref.sha256}, ${ref.bytes}, ${JSON.stringify({ counts, format: "eva.venture_export/1", gzip: true })}::jsonb)`.execute(
    ctx.deps.db,
  );
  return { status: "completed", result: { ...ref, counts } };
}

async function inventory(ctx: StepContext): Promise<InfraResource[]> {
  const { rows } = await sql<InfraResource>`
    select id, venture_id, kind, name, provider, provider_url, external_id, depends_on, status
    from eva.venture_infra_resources where venture_id = ${ctx.saga.venture_id}::uuid order by name`.execute(
    ctx.deps.db,
  );
  return rows;
}

async function settle(
  ctx: StepContext,
  resource: InfraResource,
  status: "torn_down" | "archived" | "not_torn_down" | "failed",
  detail: string,
  result: Record<string, unknown> = {},
): Promise<void> {
  await sql`select eva_private.fn_infra_resource_settle(${ctx.saga.id}::uuid, ${ctx.step}, ${resource.id}::uuid,
    ${status}, ${detail}, ${JSON.stringify(result)}::jsonb)`.execute(ctx.deps.db);
}

const FINAL = new Set(["torn_down", "archived", "not_torn_down"]);

/**
 * Step 3: every resource but repositories (step 4 archives those), in
 * reverse dependency order, one sub-step each. The first failure stops the
 * step (nothing after it is touched) and pauses the saga with a P1 alert;
 * resuming continues at that resource. Resources with no provider are
 * recorded not_torn_down, never as done.
 */
async function teardownInfra(ctx: StepContext): Promise<StepOutcome> {
  const env = ctx.deps.env ?? process.env;
  const all = await inventory(ctx);
  let order: InfraResource[];
  try {
    order = teardownOrder(all.filter((r) => r.kind !== "repo"));
  } catch (error) {
    throw new StepError(`teardown order: ${(error as Error).message}`, { retry: false });
  }
  const done = await substeps(ctx);
  for (const [i, r] of order.entries()) await recordSubstep(ctx, `${r.kind}:${r.name}`, "pending", i + 1);
  const summary: Record<string, unknown>[] = [];
  for (const r of order) {
    const prior = done.get(`${r.kind}:${r.name}`);
    if (FINAL.has(r.status) || prior?.status === "completed" || prior?.status === "skipped") {
      summary.push({ name: r.name, kind: r.kind, status: r.status });
      continue;
    }
    const base = providerBase(r, env);
    if (!base) {
      await settle(
        ctx,
        r,
        "not_torn_down",
        "not torn down: no provider configured (provider_url or EVA_INFRA_API_URL)",
      );
      summary.push({ name: r.name, kind: r.kind, status: "not_torn_down" });
      continue;
    }
    let answer: Awaited<ReturnType<typeof callProvider>>;
    try {
      answer = await callProvider("DELETE", base, r, `${ctx.saga.id}:${r.id}`, { env });
    } catch (error) {
      const detail = `DELETE ${base}/resources/${r.external_id} failed: ${(error as Error).message}`;
      await settle(ctx, r, "failed", detail);
      throw new StepError(`teardown of ${r.kind} ${r.name}: ${detail}`, { retry: false });
    }
    if (!answer.ok) {
      const detail = `DELETE ${answer.url} answered ${answer.status}: ${answer.body}`;
      await settle(ctx, r, "failed", detail, { httpStatus: answer.status });
      throw new StepError(`teardown of ${r.kind} ${r.name}: ${detail}`, {
        retry: false,
        result: { failedAt: r.name, resources: summary },
      });
    }
    await settle(ctx, r, "torn_down", `provider answered ${answer.status}`, {
      httpStatus: answer.status,
      url: answer.url,
    });
    summary.push({ name: r.name, kind: r.kind, status: "torn_down" });
  }
  const count = (s: string) => summary.filter((x) => x.status === s).length;
  return {
    status: "completed",
    result: {
      order: order.map((r) => r.name),
      resources: summary,
      tornDown: count("torn_down"),
      notTornDown: count("not_torn_down"),
      ...(order.length === 0 ? { note: "the venture's inventory lists no infrastructure to tear down" } : {}),
    },
  };
}

/**
 * Step 4: repositories archived by their provider (when one is configured),
 * then the venture's records written to cold storage (the archive store)
 * with a reference.
 */
async function archiveCode(ctx: StepContext): Promise<StepOutcome> {
  const env = ctx.deps.env ?? process.env;
  const repos = (await inventory(ctx)).filter((r) => r.kind === "repo");
  const done = await substeps(ctx);
  for (const [i, r] of repos.entries()) {
    const prior = done.get(`${r.kind}:${r.name}`);
    if (FINAL.has(r.status) || prior?.status === "completed" || prior?.status === "skipped") continue;
    const base = providerBase(r, env);
    if (!base) {
      await settle(
        ctx,
        r,
        "not_torn_down",
        "repository not archived: no provider configured (provider_url or EVA_INFRA_API_URL)",
      );
      continue;
    }
    await recordSubstep(ctx, `${r.kind}:${r.name}`, "pending", i + 1);
    const answer = await callProvider("POST", base, r, `${ctx.saga.id}:${r.id}:archive`, { action: "archive", env });
    if (!answer.ok) {
      await settle(ctx, r, "failed", `POST ${answer.url} answered ${answer.status}: ${answer.body}`);
      throw new StepError(`archiving repository ${r.name}: the provider answered ${answer.status}`);
    }
    await settle(ctx, r, "archived", `provider answered ${answer.status}`, { httpStatus: answer.status });
  }
  const { rows } = await sql<{ records: Record<string, unknown> }>`
    select jsonb_build_object(
      'format', 'eva.venture_records/1',
      'venture', (select to_jsonb(v) - 'updated_at' from eva.ventures v where v.id = ${ctx.saga.venture_id}::uuid),
      'stateHistory', coalesce((select jsonb_agg(to_jsonb(h) order by h.id) from eva.venture_state_history h
        where h.venture_id = ${ctx.saga.venture_id}::uuid), '[]'::jsonb),
      'artifactIndex', coalesce((select jsonb_agg(jsonb_build_object('id', a.id, 'stage', a.lifecycle_stage,
        'type', a.artifact_type, 'version', a.version, 'sha256', encode(sha256(convert_to(a.content::text, 'UTF8')), 'hex'))
        order by a.lifecycle_stage, a.artifact_type, a.version)
        from eva.venture_artifacts a where a.venture_id = ${ctx.saga.venture_id}::uuid), '[]'::jsonb),
      'infrastructure', coalesce((select jsonb_agg(jsonb_build_object('name', r.name, 'kind', r.kind,
        'provider', r.provider, 'externalId', r.external_id, 'status', r.status, 'detail', r.status_detail) order by r.name)
        from eva.venture_infra_resources r where r.venture_id = ${ctx.saga.venture_id}::uuid), '[]'::jsonb),
      'export', (select jsonb_build_object('uri', x.uri, 'sha256', x.sha256, 'bytes', x.bytes)
        from eva.venture_archives x where x.saga_id = ${ctx.saga.id}::uuid and x.kind = 'export')
    ) as records`.execute(ctx.deps.db);
  const records = rows[0]?.records ?? {};
  const ref = await writeArchive(
    `${archivePrefix(ctx)}/records.json.gz`,
    gzipSync(Buffer.from(JSON.stringify(records))),
    {
      dir: ctx.deps.archiveDir,
    },
  );
  await sql`select eva_private.fn_venture_archive_record(${ctx.saga.id}::uuid, 'records', ${ref.key}, ${ref.uri},
    ${ref.sha256}, ${ref.bytes}, ${JSON.stringify({ format: "eva.venture_records/1", repos: repos.length })}::jsonb)`.execute(
    ctx.deps.db,
  );
  const after = (await inventory(ctx)).filter((r) => r.kind === "repo");
  return {
    status: "completed",
    result: { reference: ref, repositories: after.map((r) => ({ name: r.name, status: r.status })) },
  };
}

/** The post-mortem's shape: what the analyst must return. */
export const retrospectiveSchema = z.object({
  summary: z.string().min(20),
  causeOfDeath: z.string().min(5),
  lessons: z.array(z.string().min(5)).min(1).max(8),
  earlySignals: z.array(z.string()).max(8),
  wouldRepeat: z.array(z.string()).max(8),
});
export type Retrospective = z.infer<typeof retrospectiveSchema>;

interface Facts {
  name: string;
  endedAs: string;
  reason: string | null;
  killSource: string;
  stageOfDeath: number;
  gateSignals: { stage: number; run: number; decision: string; reason: string | null }[];
  archetype: string;
  stagesReached: number | null;
}

/** The offline analyst's post-mortem: drawn from the recorded facts only (a simulation, and labelled as one). */
function simulateRetrospective(facts: Facts, rng: Rng): Retrospective {
  const failing = facts.gateSignals.filter((g) => !["pass", "advance"].includes(g.decision));
  const how =
    facts.endedAs === "killed"
      ? `killed at stage ${facts.stageOfDeath} (${facts.killSource.replace("_", " ")})`
      : `${facts.endedAs} at stage ${facts.stageOfDeath}`;
  return {
    summary: `${facts.name} (${facts.archetype}) was ${how}: ${facts.reason ?? "no reason was recorded"}.`,
    causeOfDeath: facts.reason ?? `ended as ${facts.endedAs} without a recorded reason`,
    lessons: [
      `Ventures ${how} should be compared with this one before passing stage ${facts.stageOfDeath}.`,
      rng.pick([
        "Test the weakest assumption earlier, before the gate that ended this venture.",
        "Write down the evidence a gate needs before the stage that feeds it runs.",
      ]),
    ],
    earlySignals: failing
      .slice(0, 8)
      .map((g) => `stage ${g.stage} run ${g.run}: ${g.decision}${g.reason ? ` — ${g.reason}` : ""}`),
    wouldRepeat: [],
  };
}

/** Step 5: the post-mortem through EVA's analyst, written to the portfolio knowledge base. */
async function retrospective(ctx: StepContext): Promise<StepOutcome> {
  const { rows } = await sql<{ facts: Facts }>`
    select eva_private.fn_retirement_facts(${ctx.saga.id}::uuid) as facts`.execute(ctx.deps.db);
  const facts = rows[0]?.facts;
  if (!facts) throw new StepError("no facts for the retrospective");
  const analysis = await ctx.deps.analyst.analyze({
    schemaName: "venture_retrospective",
    schema: retrospectiveSchema,
    prompt: {
      system:
        "You are EVA's portfolio analyst. Write a short post-mortem of a retired venture from the recorded facts only: " +
        "what ended it, which gate signals warned early, and lessons for the next ventures. Invent nothing.",
      user: JSON.stringify(facts),
    },
    simulate: (rng) => simulateRetrospective(facts, rng),
  });
  try {
    await sql`select eva_private.fn_record_retrospective(${ctx.saga.id}::uuid, ${JSON.stringify(analysis.output)}::jsonb,
      ${analysis.epistemic}::eva.epistemic_classification,
      ${JSON.stringify({ ...analysis.provenance, usage: analysis.usage })}::jsonb)`.execute(ctx.deps.db);
  } catch (error) {
    if (sqlState(error) === EvaErrorCode.notFound) throw new StepError("the saga is gone", { retry: false });
    throw error;
  }
  return {
    status: "completed",
    result: {
      stageOfDeath: facts.stageOfDeath,
      killReason: facts.reason,
      gateSignals: facts.gateSignals.length,
      epistemic: analysis.epistemic,
      analyst: analysis.provenance.analyst,
      model: analysis.provenance.model,
    },
  };
}

export const retirementSteps = {
  notify_users: notifyUsers,
  export_data: exportData,
  teardown_infra: teardownInfra,
  archive_code: archiveCode,
  retrospective,
};
