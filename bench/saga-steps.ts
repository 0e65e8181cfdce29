// The 5-step saga both engines run in `npm run bench -- saga`: each step a
// trivial keyed write (insert … on conflict do nothing) into bench_writes.
// A step named in `hangAt` notes that it started, then never returns (the
// process is SIGKILLed there).
import { sql } from "kysely";
import { defineSaga, type StepOutcome } from "../src/orchestration/sagas/engine.ts";

export const BENCH_STEPS = ["one", "two", "three", "four", "five"];

export const BENCH_TABLE = `create table if not exists public.bench_writes (
  run text not null, step text not null, at timestamptz not null default clock_timestamp(), primary key (run, step))`;

/** Registers the engine_bench saga on EVA's engine. */
export function defineBenchSaga(hangAt?: string): void {
  defineSaga({
    type: "engine_bench",
    driver: "worker",
    summary: "bench: 5 trivial keyed writes",
    steps: BENCH_STEPS.map((name) => ({
      name,
      onExhausted: "fail" as const,
      run: async (ctx): Promise<StepOutcome> => {
        if (name === hangAt) {
          await sql`insert into public.bench_writes (run, step) values (${`eva:${ctx.saga.id}`}, ${`${name}:started`})
            on conflict do nothing`.execute(ctx.deps.db);
          await new Promise(() => {});
        }
        await sql`insert into public.bench_writes (run, step) values (${`eva:${ctx.saga.id}`}, ${name})
          on conflict do nothing`.execute(ctx.deps.db);
        return { status: "completed" };
      },
    })),
  });
}
