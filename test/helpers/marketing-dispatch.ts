// Content ready to publish, for the publishing tests: a content item in
// SCHEDULE with one variant per platform (its generation and review are
// mkt-core's subject and tested there; here the row is placed in SCHEDULE on
// the superuser connection, marked as EVA's functions mark a transition).
import { sql } from "kysely";
import type { Database } from "../../src/db/client.ts";

export interface VariantSeed {
  platform: string;
  text: string;
  linkUrl?: string;
}

export async function scheduledContent(
  db: Database,
  ventureId: string,
  variants: VariantSeed[],
): Promise<{ contentId: string; variantIds: string[] }> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string }>`
      insert into marketing.marketing_content (venture_id, concept_tags) values (${ventureId}::uuid, '{launch}') returning id`.execute(
      trx,
    );
    const contentId = rows[0]?.id as string;
    const variantIds: string[] = [];
    for (const [i, v] of variants.entries()) {
      const { rows: vr } = await sql<{ id: string }>`
        insert into marketing.marketing_content_variants (content_id, venture_id, generation, variant_key, platform, headline,
          body, cta, visual_brief, asset_text, metadata)
        values (${contentId}::uuid, ${ventureId}::uuid, 1, ${`v${i}`}, ${v.platform}, 'Headline', ${v.text}, 'Try it',
          'A calm desk', ${v.text}, ${JSON.stringify(v.linkUrl ? { link_url: v.linkUrl } : {})}::jsonb)
        returning id`.execute(trx);
      variantIds.push(vr[0]?.id as string);
    }
    await sql`select set_config('marketing.transitioning', ${contentId}, true)`.execute(trx);
    await sql`update marketing.marketing_content set lifecycle_state = 'SCHEDULE', generation = 1, state_changed_at = now()
      where id = ${contentId}::uuid`.execute(trx);
    return { contentId, variantIds };
  });
}

/** Where Stage 23 (launch) leaves a venture: full distribution active (mkt-core's trigger writes this on the launch artifact). */
export async function launchDistribution(
  db: Database,
  ventureId: string,
  distribution: "none" | "pre_launch" | "full" = "full",
) {
  await sql`insert into marketing.marketing_venture_state (venture_id, distribution, full_distribution_at, pre_launch_started_at)
    values (${ventureId}::uuid, ${distribution}, case when ${distribution} = 'full' then now() end, now())
    on conflict (venture_id) do update set distribution = excluded.distribution,
      full_distribution_at = excluded.full_distribution_at`.execute(db);
}

export async function dispatchOf(db: Database, id: string) {
  return db.selectFrom("marketing.marketing_dispatches").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

export async function attemptsOf(db: Database, id: string) {
  return db
    .selectFrom("marketing.marketing_dispatch_attempts")
    .select(["attempt", "action", "mode", "outcome", "error_class", "http_status"])
    .where("dispatch_id", "=", id)
    .orderBy("attempt")
    .execute();
}
