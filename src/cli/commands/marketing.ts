// eva marketing …: the marketing engine (spec §17). Each part registers its own subcommands.
import type { Command } from "commander";
import { summaryOf } from "./index.ts";
import { registerMarketingEmail } from "./marketing-email.ts";
import { registerMarketingRollups } from "./marketing-rollups.ts";

export function registerMarketing(program: Command): void {
  const marketing = program.command("marketing").description(summaryOf("marketing"));
  registerMarketingRollups(marketing);
  registerMarketingEmail(marketing);
}
