// Imported first by bench/run.ts: PostGraphile's engine runs in production mode,
// as `eva start` and `eva serve` run it (src/cli/api.ts), and says nothing about
// GRAPHILE_ENV at import. An import, not a statement in run.ts: the benchmarks'
// own imports (graphql/server.ts among them) are evaluated before run.ts's body.
process.env.GRAPHILE_ENV ??= "production";
