// Inter-venture dependencies (spec §5, Decision #32) as the CLI and the API
// write and read them. Writes go through eva.fn_add_venture_dependency and
// eva.fn_remove_venture_dependency: the database refuses bad input and
// cycles, and its triggers block and release the dependent's stage work.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";

export type DependencyType = "hard" | "soft";

export interface Dependency {
  id: string;
  dependent: string;
  dependentId: string;
  provider: string;
  providerId: string;
  requiredStage: number;
  providerStage: number;
  type: DependencyType;
  status: "pending" | "met" | "broken";
  /** A hard, pending dependency whose provider is short of the stage: it holds the dependent's work. */
  holding: boolean;
  createdAt: Date;
  resolvedAt: Date | null;
}

function graph(db: Database) {
  return db
    .selectFrom("dependency_graph as g")
    .select([
      "g.dependency_id as id",
      "g.dependent_name as dependent",
      "g.dependent_venture_id as dependentId",
      "g.provider_name as provider",
      "g.provider_venture_id as providerId",
      "g.required_stage as requiredStage",
      "g.provider_stage as providerStage",
      "g.dependency_type as type",
      "g.status",
      "g.on_critical_path as holding",
      "g.created_at as createdAt",
      "g.resolved_at as resolvedAt",
    ]);
}

/** Declares (or changes) the dependent's dependency on the provider; returns it as the graph shows it. */
export async function addDependency(
  db: Database,
  dependentId: string,
  providerId: string,
  requiredStage: number,
  type: DependencyType,
): Promise<Dependency> {
  const { rows } = await sql<{ id: string }>`
    select id from eva.fn_add_venture_dependency(${dependentId}::uuid, ${providerId}::uuid, ${requiredStage},
      ${type}::eva.dependency_type)`.execute(db);
  const id = rows[0]?.id;
  if (!id) throw new Error("the database wrote no dependency");
  return (await graph(db).where("g.dependency_id", "=", id).executeTakeFirstOrThrow()) as Dependency;
}

/** Removes the dependent's dependency on the provider; returns how many rows went (EV404 when none). */
export async function removeDependency(db: Database, dependentId: string, providerId: string): Promise<number> {
  const { rows } = await sql<{ removed: number }>`
    select eva.fn_remove_venture_dependency(${dependentId}::uuid, ${providerId}::uuid) as removed`.execute(db);
  return Number(rows[0]?.removed ?? 0);
}

/** The dependencies a venture has and the ones on it (every venture's when none is given). */
export async function listDependencies(db: Database, ventureId?: string): Promise<Dependency[]> {
  let query = graph(db).orderBy("g.dependent_name").orderBy("g.provider_name");
  if (ventureId) {
    query = query.where((eb) =>
      eb.or([eb("g.dependent_venture_id", "=", ventureId), eb("g.provider_venture_id", "=", ventureId)]),
    );
  }
  return (await query.execute()) as Dependency[];
}
