// eva profiles: Stage 0's evaluation profiles (spec §16) — list, show, create
// a new version, activate one. Writes go through eva.fn_create_evaluation_profile
// and eva.fn_activate_evaluation_profile as the Chairman.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import {
  activateProfile,
  createProfile,
  type EvaluationProfile,
  findProfile,
  GATE_BOUNDARIES,
  type GateBoundary,
  gateThreshold,
  gateThresholdsSchema,
  LEGACY_PROFILE,
  listProfiles,
  PROFILE_COMPONENTS,
  type ProfileComponent,
  type ProfileWeights,
  profileWeightsSchema,
  resolveProfile,
} from "../../ideation/profiles.ts";
import { withSession } from "../database.ts";
import { collect } from "../options.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

const weightsText = (w: ProfileWeights) => PROFILE_COMPONENTS.map((c) => `${c}=${w[c]}`).join(" ");

function printProfile(p: EvaluationProfile, source?: string): void {
  printFields([
    ["profile", `${p.name} v${p.version}${p.isActive ? " (active)" : ""}`],
    ["id", p.id ?? "(none: the legacy defaults)"],
    ...(source ? ([["resolved as", source]] as [string, unknown][]) : []),
    ["description", p.description ?? ""],
    ...PROFILE_COMPONENTS.map((c) => [`weight ${c}`, p.weights[c]] as [string, unknown]),
    ...GATE_BOUNDARIES.map(
      (b) =>
        [`gate ${b}`, `${gateThreshold(p, b)}${p.gateThresholds[b] === undefined ? " (legacy default)" : ""}`] as [
          string,
          unknown,
        ],
    ),
    ["created", p.createdAt ?? ""],
    ["activated", p.activatedAt ?? ""],
  ]);
}

/** "key=value" pairs into a record of numbers; every problem named with its flag. */
function pairs(flag: string, values: string[], keys: readonly string[], problems: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const raw of values) {
    const eq = raw.lastIndexOf("=");
    const key = eq > 0 ? raw.slice(0, eq).trim() : "";
    const text = eq > 0 ? raw.slice(eq + 1).trim() : "";
    if (!key || !keys.includes(key)) {
      problems.push(`${flag} ${raw}: the key must be one of ${keys.join(", ")} (as key=value)`);
      continue;
    }
    const n = Number(text);
    if (text === "" || !Number.isFinite(n)) {
      problems.push(`${flag} ${raw}: the value must be a number`);
      continue;
    }
    out[key] = n;
  }
  return out;
}

export function registerProfiles(program: Command): void {
  const cmd = program
    .command("profiles")
    .description(summaryOf("profiles"))
    .addHelpText(
      "after",
      `
A profile's nine weights (${PROFILE_COMPONENTS.join(", ")}) sum to 1 and
combine the synthesis components' scores into the brief's weighted score. Gate
thresholds (${GATE_BOUNDARIES.join(", ")}) override the legacy defaults. A
brief is scored with the profile named by --profile, else the active one, else
the legacy defaults. Profiles are versioned: create makes the next version.

Examples:
  eva profiles list
  eva profiles create --name moat-first --weight moat_architecture=0.25 --weight virality=0.05 --gate '5->6=65' --activate
  eva profiles show moat-first
  eva profiles activate moat-first@1`,
    );

  cmd
    .command("list")
    .description("every profile version (the active one marked)")
    .option("--json", "print the profiles as JSON")
    .action(async (options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const profiles = await withRole(connection.db, "eva_chairman", (trx) => listProfiles(trx));
        if (options.json) return printJson(profiles);
        if (profiles.length === 0)
          return void process.stdout.write(
            "no evaluation profile yet: briefs are scored with the legacy weights (eva profiles show legacy)\n",
          );
        printTable(
          profiles.map((p) => ({
            ...p,
            active: p.isActive ? "yes" : "",
            weights: weightsText(p.weights),
          })),
          [
            ["name", "NAME"],
            ["version", "VERSION"],
            ["active", "ACTIVE"],
            ["id", "ID"],
            ["weights", "WEIGHTS"],
          ],
        );
      });
    });

  cmd
    .command("show [profile]")
    .description("one profile (id, name = its newest version, name@version; none: what a brief would use now)")
    .option("--json", "print the profile as JSON")
    .action(async (ref: string | undefined, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const resolved = await withRole(connection.db, "eva_chairman", async (trx) => {
          if (ref === "legacy" && !(await findProfile(trx, "legacy")))
            return { profile: LEGACY_PROFILE, source: "legacy" as const };
          const profile = ref ? await findProfile(trx, ref) : undefined;
          if (ref && !profile) throw new UserError(`there is no evaluation profile "${ref}" (eva profiles list)`);
          return profile ? { profile, source: "explicit" as const } : resolveProfile(trx);
        });
        if (options.json) return printJson(resolved);
        printProfile(resolved.profile, resolved.source);
      });
    });

  cmd
    .command("create")
    .description("create the next version of a profile (weights not given come from --from, else the current one)")
    .requiredOption("--name <name>", "the profile's name (a new name starts at version 1)")
    .option("--weight <component=value>", "a component's weight 0-1 (repeatable)", collect, [])
    .option("--gate <boundary=score>", "a boundary's minimum score 0-100, e.g. 5->6=65 (repeatable)", collect, [])
    .option("--from <profile>", "start from this profile's weights and gates (default: what briefs use now)")
    .option("--description <text>", "what the profile is for")
    .option("--activate", "make the new version the active profile")
    .option("--json", "print the created profile as JSON")
    .action(
      async (options: {
        name: string;
        weight: string[];
        gate: string[];
        from?: string;
        description?: string;
        activate?: boolean;
        json?: boolean;
      }) => {
        const problems: string[] = [];
        const weights = pairs("--weight", options.weight, PROFILE_COMPONENTS, problems);
        const gates = pairs("--gate", options.gate, GATE_BOUNDARIES, problems);
        if (problems.length) throw new UserError(`no profile was created; fix these:\n  ${problems.join("\n  ")}`, 2);
        await withSession(async ({ connection }) => {
          const created = await withRole(connection.db, "eva_chairman", async (trx) => {
            const base = options.from
              ? await findProfile(trx, options.from)
              : ((await findProfile(trx, options.name)) ?? (await resolveProfile(trx)).profile);
            if (!base) throw new UserError(`--from: there is no evaluation profile "${options.from}"`, 2);
            const merged = { ...base.weights, ...weights } as Record<ProfileComponent, number>;
            const w = profileWeightsSchema.safeParse(merged);
            if (!w.success) {
              const sum = PROFILE_COMPONENTS.reduce((s, c) => s + merged[c], 0);
              throw new UserError(
                `no profile was created: ${w.error.issues.map((i) => i.message).join("; ")} (these sum to ${Math.round(sum * 10000) / 10000}: ${weightsText(merged)})`,
                2,
              );
            }
            const g = gateThresholdsSchema.safeParse({ ...base.gateThresholds, ...gates });
            if (!g.success)
              throw new UserError(
                `no profile was created: --gate ${g.error.issues.map((i) => `${String(i.path[0] ?? "")}: ${i.message}`).join("; ")}`,
                2,
              );
            return createProfile(trx, {
              name: options.name,
              weights: w.data,
              gateThresholds: g.data as Partial<Record<GateBoundary, number>>,
              description: options.description ?? null,
              activate: options.activate ?? false,
            });
          });
          if (options.json) return printJson(created);
          printProfile(created);
        });
      },
    );

  cmd
    .command("activate <profile>")
    .description("make a profile version the active one (id, name = its newest version, or name@version)")
    .option("--json", "print the activated profile as JSON")
    .action(async (ref: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const profile = await withRole(connection.db, "eva_chairman", async (trx) => {
          const found = await findProfile(trx, ref);
          if (!found?.id) throw new UserError(`there is no evaluation profile "${ref}" (eva profiles list)`, 2);
          return activateProfile(trx, found.id);
        });
        if (options.json) return printJson(profile);
        process.stdout.write(`active profile: ${profile.name} v${profile.version} (${profile.id})\n`);
      });
    });
}
