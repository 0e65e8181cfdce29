// A venture named on the command line (by id or exact name), in one query.
import type { Database } from "../db/client.ts";
import { ventureByRef } from "../portfolio/ventures.ts";
import { UserError } from "./output.ts";

/** The venture `ref` names; else a UserError naming what was given (`what`: the flag or argument) and how to find one. */
export async function namedVenture(
  db: Database,
  ref: string,
  options: { what?: string; exitCode?: number } = {},
): Promise<{ id: string; name: string }> {
  const venture = await ventureByRef(db, ref);
  if (!venture) {
    throw new UserError(
      `${options.what ? `${options.what}: ` : ""}no venture "${ref}" (give its id or exact name; see npx eva ventures list)`,
      options.exitCode ?? 1,
    );
  }
  return venture;
}
