// Each test file gets its own database, cloned from the migrated template.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { type Connection, connect } from "../../src/db/client.ts";
import { withDatabase } from "../../src/db/connection.ts";

export interface TestDatabase extends Connection {
  url: string;
  /** A second pool whose connections act as eva_service (what workers use). */
  service: Connection["db"];
  name: string;
  /** Drops the database (call in afterAll). */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject("adminUrl");
  const template = inject("templateDatabase");
  const name = `eva_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const connection = connect(url, { max: 5, applicationName: "eva-test" });
  const service = connect(url, { max: 3, applicationName: "eva-test-service", role: "eva_service" });
  return {
    ...connection,
    url,
    name,
    service: service.db,
    drop: async () => {
      await connection.close();
      await service.close();
      const dropper = new pg.Client({ connectionString: adminUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
