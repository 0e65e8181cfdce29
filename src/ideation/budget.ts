// Stage 0's token budget: briefs are made before a venture exists, so they are
// charged to the portfolio's ideation budget (eva.fn_ideation_budget,
// eva.fn_charge_ideation_tokens), checked before the call like a stage's.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import type { LlmUsage, Provenance, TokenAllowance } from "../llm/types.ts";

export interface IdeationBudget {
  portfolioId: string;
  portfolioName: string;
  budgetTokens: number;
  consumedTokens: number;
  remainingTokens: number;
}

interface Row {
  portfolio_id: string;
  portfolio_name: string;
  budget_tokens: string;
  consumed_tokens: string;
  remaining_tokens: string;
}

const toBudget = (r: Row): IdeationBudget => ({
  portfolioId: r.portfolio_id,
  portfolioName: r.portfolio_name,
  budgetTokens: Number(r.budget_tokens),
  consumedTokens: Number(r.consumed_tokens),
  remainingTokens: Number(r.remaining_tokens),
});

/** The ideation budget of a portfolio (id or name), or of the only portfolio when none is named. */
export async function ideationBudget(db: Database, portfolio?: string): Promise<IdeationBudget> {
  const { rows } = await sql<Row>`select * from eva.fn_ideation_budget(${portfolio ?? null})`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("eva.fn_ideation_budget returned no row");
  return toBudget(row);
}

/** The allowance a Stage 0 call gets from a budget. */
export function ideationAllowance(budget: IdeationBudget): TokenAllowance {
  return {
    remaining: budget.remainingTokens,
    what: `the ideation budget of portfolio "${budget.portfolioName}" (${budget.consumedTokens.toLocaleString("en-US")} of ${budget.budgetTokens.toLocaleString("en-US")} tokens used)`,
  };
}

/** Charges a brief's tokens to the portfolio, with the review it opened; returns the budget after. */
export async function chargeIdeation(
  db: Database,
  charge: { portfolioId: string; decisionId: string; usage: LlmUsage; provenance: Provenance },
): Promise<IdeationBudget> {
  const { usage } = charge;
  const { rows } = await sql<Row>`select * from eva.fn_charge_ideation_tokens(${charge.portfolioId}::uuid,
    ${charge.decisionId}::uuid, ${usage.promptTokens}, ${usage.completionTokens}, ${usage.estimated},
    ${JSON.stringify(charge.provenance)}::jsonb)`.execute(db);
  const row = rows[0];
  if (!row) throw new Error("eva.fn_charge_ideation_tokens returned no row");
  return toBudget(row);
}
