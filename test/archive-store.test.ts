import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArchiveError, archiveIntact, readArchive, writeArchive } from "../src/orchestration/archive-store.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "eva-archive-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("archive store", () => {
  it("writes once, returns the checksum, and reads back verified", async () => {
    const ref = await writeArchive("ventures/a/export.json", '{"a":1}', { dir });
    expect(ref.bytes).toBe(7);
    expect(ref.sha256).toBe("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
    expect((await readArchive(ref)).toString()).toBe('{"a":1}');
    // The same bytes again: the same reference (a retried step).
    expect(await writeArchive("ventures/a/export.json", '{"a":1}', { dir })).toEqual(ref);
  });

  it("refuses to overwrite an archive with other content, and keys outside the store", async () => {
    await writeArchive("once.txt", "first", { dir });
    await expect(writeArchive("once.txt", "second", { dir })).rejects.toThrow(ArchiveError);
    await expect(writeArchive("../escape.txt", "x", { dir })).rejects.toThrow(/inside the store/);
    await expect(writeArchive("/etc/x", "x", { dir })).rejects.toThrow(/inside the store/);
  });

  it("notices an archive changed after it was written", async () => {
    const ref = await writeArchive("tampered.txt", "original", { dir });
    expect(await archiveIntact(ref)).toBe(true);
    await writeFile(join(dir, "tampered.txt"), "changed!");
    expect(await archiveIntact(ref)).toBe(false);
    await expect(readArchive(ref)).rejects.toThrow(/fails its checksum/);
  });
});
