// Artifact versions as the CLI and the API read them.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";

export interface ArtifactSummary {
  id: string;
  stage: number;
  type: string;
  version: number;
  isCurrent: boolean;
  qualityScore: number | null;
  validation: string;
  epistemic: string;
  analyst: string | null;
  createdAt: Date;
}

export interface ArtifactFilter {
  stage?: number;
  type?: string;
  /** Every version, not only the current ones. */
  allVersions?: boolean;
}

function summaries(db: Database, ventureId: string) {
  return db
    .selectFrom("venture_artifacts")
    .select([
      "id",
      "lifecycle_stage as stage",
      "artifact_type as type",
      "version",
      "is_current as isCurrent",
      "quality_score as qualityScore",
      "validation_status as validation",
      "epistemic_classification as epistemic",
      sql<string | null>`provenance ->> 'analyst'`.as("analyst"),
      "created_at as createdAt",
    ])
    .where("venture_id", "=", ventureId);
}

export async function listArtifacts(
  db: Database,
  ventureId: string,
  filter: ArtifactFilter = {},
): Promise<ArtifactSummary[]> {
  let query = summaries(db, ventureId).orderBy("lifecycle_stage").orderBy("artifact_type").orderBy("version");
  if (filter.stage !== undefined) query = query.where("lifecycle_stage", "=", filter.stage);
  if (filter.type) query = query.where("artifact_type", "=", filter.type);
  if (!filter.allVersions) query = query.where("is_current", "=", true);
  return (await query.execute()) as ArtifactSummary[];
}

export interface ArtifactDetail extends ArtifactSummary {
  content: unknown;
  provenance: unknown;
  epistemicEvidence: unknown;
}

/** One version (the current one unless `version` is given) of a stage's artifact (its primary type unless `type` is given). */
export async function getArtifact(
  db: Database,
  ventureId: string,
  stage: number,
  options: { type?: string; version?: number } = {},
): Promise<ArtifactDetail | undefined> {
  let query = summaries(db, ventureId)
    .select(["content", "provenance", "epistemic_evidence as epistemicEvidence"])
    .where("lifecycle_stage", "=", stage);
  if (options.type) query = query.where("artifact_type", "=", options.type);
  else
    query = query.where(
      "artifact_type",
      "=",
      sql<string>`(select produces[1] from eva.lifecycle_stage_config where stage_number = ${stage})`,
    );
  query =
    options.version !== undefined ? query.where("version", "=", options.version) : query.where("is_current", "=", true);
  return (await query.orderBy("version", "desc").executeTakeFirst()) as ArtifactDetail | undefined;
}
