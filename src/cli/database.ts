// Opens EVA's database for one CLI command and closes everything after it,
// including the embedded server when this command started it.
import { sql } from "kysely";
import { type Connection, connect } from "../db/client.ts";
import { type DatabaseLocation, locateDatabase } from "../db/connection.ts";
import { sqlState } from "../db/errors.ts";
import { progress, UserError } from "./output.ts";

export interface Session {
  location: DatabaseLocation;
  connection: Connection;
}

/** A database error that means EVA's schema is not there (no schema, table or function). */
const MISSING_OBJECT = new Set(["3F000", "42P01", "42883"]);

/**
 * Runs `fn` with a connection to a migrated EVA database: one pool of
 * `connections` (one unless a command runs queries side by side). Whether
 * the database is migrated is asked only when a query finds EVA's objects
 * missing, so a command costs its own queries and nothing more.
 */
export async function withSession<T>(
  fn: (session: Session) => Promise<T>,
  options: { requireMigrated?: boolean; connections?: number } = {},
): Promise<T> {
  const location = await locateDatabase(progress);
  const connection = connect(location.url, { max: options.connections ?? 1, applicationName: "eva-cli" });
  try {
    return await fn({ location, connection });
  } catch (error) {
    if (options.requireMigrated !== false && MISSING_OBJECT.has(sqlState(error) ?? "")) {
      const { rows } = await sql<{ migrated: boolean }>`
        select to_regclass('eva_private.migrations') is not null as migrated`.execute(connection.db);
      if (!rows[0]?.migrated) {
        throw new UserError("the database has no EVA schema yet: run `npx eva db migrate` first (or `npm start`)");
      }
    }
    throw error;
  } finally {
    await connection.close();
    await location.close();
  }
}
