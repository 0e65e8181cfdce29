// Retention by design (issue #10): the daily partition tick. SQL owns the
// policy (eva_private.partition_policies) and decides what is due; this file
// does the I/O between: it creates the partitions ahead, writes each expired
// partition's rows to the archive store (gzip JSON lines, one row a line, in
// physical order) and only then asks SQL to record the archive and drop the
// partition (eva_private.fn_archive_partition, which refuses an archive whose
// row count differs from the partition's). Decisions, stage transitions,
// state history and artifact versions are never partitioned or dropped.
import { gzipSync } from "node:zlib";
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import { type ArchiveRef, writeArchive } from "./archive-store.ts";

const PAGE = 5000;

export interface ArchivedPartition {
  table: string;
  partition: string;
  rangeFrom: string;
  rangeTo: string;
  rows: number;
  archiveId: number;
  archive: ArchiveRef | null;
}

export interface PartitionMaintenance {
  created: string[];
  archived: ArchivedPartition[];
}

interface Expired {
  table_name: string;
  partition_name: string;
  range_from: Date;
  range_to: Date;
  archive_before_drop: boolean;
}

/** The archive store key of a partition: partitions/<table>/<partition>.jsonl.gz. */
export function partitionArchiveKey(table: string, partition: string): string {
  const bare = (name: string) => name.replaceAll('"', "");
  return `partitions/${bare(table)}/${bare(partition).split(".").pop()}.jsonl.gz`;
}

/** A partition's rows as JSON lines, read page by page through eva_private.fn_partition_rows. */
async function partitionLines(db: Database, partition: string): Promise<{ text: string; rows: number }> {
  const lines: string[] = [];
  let after: string | null = null;
  for (;;) {
    const { rows } = await sql<{ row_tid: string; row_data: unknown }>`
      select row_tid::text, row_data from eva_private.fn_partition_rows(${partition}, ${after}::tid, ${PAGE})`.execute(
      db,
    );
    for (const row of rows) lines.push(JSON.stringify(row.row_data));
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]?.row_tid ?? null;
  }
  return { text: lines.length ? `${lines.join("\n")}\n` : "", rows: lines.length };
}

/**
 * One run of the partition manager, as eva_service: partitions ahead, then
 * each expired partition archived (when its policy says so) and dropped.
 * Idempotent: a run that stopped between writing an archive and dropping
 * writes the same bytes again (the store returns the same reference).
 */
export async function maintainPartitions(
  db: Database,
  options: { archiveDir?: string; log?: (line: string) => void } = {},
): Promise<PartitionMaintenance> {
  const log = options.log ?? (() => {});
  const { rows: created } = await sql<{ name: string }>`
    select name from eva_private.fn_create_upcoming_partitions() as name`.execute(db);
  for (const c of created) log(`created partition ${c.name}`);

  const { rows: expired } = await sql<Expired>`
    select table_name, partition_name, range_from, range_to, archive_before_drop
    from eva_private.fn_expired_partitions()`.execute(db);
  const archived: ArchivedPartition[] = [];
  for (const p of expired) {
    let archive: ArchiveRef | null = null;
    let rows: number;
    if (p.archive_before_drop) {
      const lines = await partitionLines(db, p.partition_name);
      rows = lines.rows;
      // gzip carries no file name or time here, so the same rows always give the same bytes (and checksum).
      archive = await writeArchive(
        partitionArchiveKey(p.table_name, p.partition_name),
        gzipSync(lines.text),
        options.archiveDir ? { dir: options.archiveDir } : {},
      );
    } else {
      const { rows: counted } = await sql<{ n: string }>`
        select count(*)::text as n from eva_private.fn_partition_rows(${p.partition_name}, null, 2147483647)`.execute(
        db,
      );
      rows = Number(counted[0]?.n ?? 0);
    }
    const { rows: recorded } = await sql<{ id: string }>`
      select eva_private.fn_archive_partition(${p.partition_name}, ${rows}, ${archive?.uri ?? null},
        ${archive?.sha256 ?? null}, ${archive?.bytes ?? null}) as id`.execute(db);
    const entry: ArchivedPartition = {
      table: p.table_name,
      partition: p.partition_name,
      rangeFrom: new Date(p.range_from).toISOString(),
      rangeTo: new Date(p.range_to).toISOString(),
      rows,
      archiveId: Number(recorded[0]?.id),
      archive,
    };
    archived.push(entry);
    log(
      `archived ${entry.partition} (${rows} rows${archive ? `, ${archive.uri}, sha256 ${archive.sha256}` : ""}) and dropped it`,
    );
  }
  return { created: created.map((c) => c.name), archived };
}
