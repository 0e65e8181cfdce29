// The enum families of spec §7.3 and §8, mirrored from the database types in
// schema eva (test/enums.test.ts keeps the two identical).
import { z } from "zod";

export const archetype = z.enum(["saas", "marketplace", "deeptech", "hardware", "services", "media", "fintech"]);
export type Archetype = z.infer<typeof archetype>;

export const severity = z.enum(["critical", "high", "medium", "low"]);
export const taskStatus = z.enum(["pending", "in_progress", "done", "blocked"]);
export const defectStatus = z.enum(["open", "in_progress", "resolved", "wontfix"]);
export const initiativeStatus = z.enum(["planned", "in_progress", "completed", "abandoned", "deferred"]);
export const learningCategory = z.enum(["product", "market", "technical", "financial", "process"]);
export const testType = z.enum(["unit", "integration", "e2e"]);
export const exitType = z.enum(["acquisition", "ipo", "merger", "mbo", "liquidation"]);
export const buyerType = z.enum(["strategic", "financial", "competitor", "pe"]);
export const launchType = z.enum(["soft_launch", "beta", "general_availability"]);
export const namingStrategy = z.enum(["descriptive", "abstract", "acronym", "founder", "metaphorical"]);
export const channelType = z.enum(["paid", "organic", "earned", "owned"]);
export const constraintCategory = z.enum([
  "performance",
  "security",
  "scalability",
  "compliance",
  "budget",
  "timeline",
]);
export const releaseCategory = z.enum(["feature", "bugfix", "infrastructure", "documentation", "configuration"]);
export const pricingModel = z.enum([
  "freemium",
  "subscription",
  "one_time",
  "usage_based",
  "marketplace_commission",
  "hybrid",
]);
export const milestonePriority = z.enum(["now", "next", "later"]);

/** Database enum type (schema eva) → its zod mirror. */
export const databaseEnums = {
  venture_archetype: archetype,
  severity,
  task_status: taskStatus,
  defect_status: defectStatus,
  initiative_status: initiativeStatus,
  learning_category: learningCategory,
  test_type: testType,
  exit_type: exitType,
  buyer_type: buyerType,
  launch_type: launchType,
  naming_strategy: namingStrategy,
  channel_type: channelType,
  constraint_category: constraintCategory,
  release_category: releaseCategory,
  pricing_model: pricingModel,
  milestone_priority: milestonePriority,
} as const;
