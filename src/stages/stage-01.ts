// Stage 1 — Draft Idea (spec §8.1): the venture as its author states it. No
// analysis runs here; the fields feed Stage 2 (context), Stage 3
// (assumptions) and Stage 23 (success criteria).
import { z } from "zod";
import { archetype } from "./enums.ts";

const text = (min: number, what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(min, { error: `${what} must be at least ${min} characters` });

/** Stage 1 Target Schema v2.0: the input a venture is created from. */
export const draftIdeaSchema = z
  .object({
    name: z
      .string({ error: "name is required" })
      .trim()
      .min(1, { error: "name is required" })
      .max(200, { error: "name must be at most 200 characters" }),
    description: text(50, "description"),
    problemStatement: text(20, "problem statement"),
    valueProp: text(20, "value proposition"),
    targetMarket: text(10, "target market"),
    archetype: z.enum(archetype.options, { error: `archetype must be one of ${archetype.options.join(", ")}` }),
    keyAssumptions: z.array(z.string().trim().min(1, { error: "a key assumption cannot be empty" })).default([]),
    successCriteria: z.array(z.string().trim().min(1, { error: "a success criterion cannot be empty" })).default([]),
    moatStrategy: z.string().trim().min(1).optional(),
  })
  .strict();

export type DraftIdea = z.infer<typeof draftIdeaSchema>;

export const stage01 = {
  number: 1,
  name: "Draft Idea",
  produces: ["idea_brief"],
  schema: draftIdeaSchema,
} as const;
