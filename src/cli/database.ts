// Opens EVA's database for one CLI command and closes everything after it,
// including the embedded server when this command started it.
import { sql } from "kysely";
import { type Connection, connect } from "../db/client.ts";
import { type DatabaseLocation, locateDatabase } from "../db/connection.ts";
import { progress, UserError } from "./output.ts";

export interface Session {
  location: DatabaseLocation;
  connection: Connection;
}

/** Runs `fn` with a connection to a migrated EVA database. */
export async function withSession<T>(
  fn: (session: Session) => Promise<T>,
  options: { requireMigrated?: boolean } = {},
): Promise<T> {
  const location = await locateDatabase(progress);
  const connection = connect(location.url, { max: 4, applicationName: "eva-cli" });
  try {
    if (options.requireMigrated !== false) {
      const { rows } = await sql<{ migrated: boolean }>`
        select to_regclass('eva_private.migrations') is not null as migrated`.execute(connection.db);
      if (!rows[0]?.migrated) {
        throw new UserError("the database has no EVA schema yet: run `npx eva db migrate` first (or `npm start`)");
      }
    }
    return await fn({ location, connection });
  } finally {
    await connection.close();
    await location.close();
  }
}
