// What the Chairman's API leaves out of the schema: the functions only EVA's
// workers call (eva_service). Grants already stop anyone else from running
// them; omitting them keeps the schema the Chairman reads free of plumbing.
import { jsonPgSmartTags } from "postgraphile/utils";

export const SERVICE_ONLY_FUNCTIONS = [
  "fn_begin_stage_run",
  "fn_record_stage_result",
  "fn_block_stage_work",
  "fn_charge_tokens",
  "fn_retry_stage_work",
  "fn_rerun_stage",
  "fn_stage_context",
  "fn_cycle_metrics",
  "fn_token_budget_remaining",
  "fn_advance_venture_stage",
  "fn_record_gate_outcome",
  "fn_set_venture_status",
  "fn_sd_complete",
  "fn_sd_results",
] as const;

export const EvaSmartTagsPlugin = jsonPgSmartTags(
  {
    version: 1,
    config: {
      procedure: {
        ...Object.fromEntries(
          // fn_events_after is the subscriptions' reader: the API offers it as evaEvent(after:) and eventFeed.
          // fn_decision_reason writes chairman_decisions.reason; clients read that column.
          // fn_job_queue and fn_partition_status are read through the orchestration views
          // (allOrchestrationJobQueues, allOrchestrationPartitions).
          [
            ...SERVICE_ONLY_FUNCTIONS,
            "fn_events_after",
            // The feed's horizon is how fn_events_after reads; clients page by cursor.
            "fn_event_horizon",
            "fn_decision_reason",
            // The priority formula's shared expression: clients read the queue's priorityScore.
            "fn_priority_score",
            "fn_job_queue",
            "fn_partition_status",
            // Subscriptions are added and paused in SQL (README, "Event subscriptions and the dead-letter queue").
            "fn_create_event_subscription",
            "fn_set_event_subscription_enabled",
          ].map((name) => [`eva.${name}`, { tags: { behavior: "-*" } }]),
        ),
        // The content lifecycle's transitions are the workers' (generation, review, dispatch): called in SQL.
        "marketing.fn_content_transition": { tags: { behavior: "-*" } },
        // An asset row names bytes in the asset store: recorded by the code that stored them, not over the API.
        "marketing.fn_record_asset": { tags: { behavior: "-*" } },
        // A decision's summary sections and choices are short, ordered lists: plain lists, not connections.
        "eva.chairman_decisions_summary": { tags: { behavior: "-connection +list" } },
        "eva.chairman_decisions_choices": { tags: { behavior: "-connection +list" } },
      },
      // The Chairman decides through `decide` (eva.fn_decide), which checks and
      // applies the decision; no generic row update beside it.
      class: {
        "eva.chairman_decisions": { tags: { behavior: "-update -delete" } },
        // The partitioned event log's key is (id, created_at); its ids are unique on their
        // own (one identity), so the API keeps addressing an event by id, and the columns
        // that referenced it by foreign key before it was partitioned keep their relation.
        "eva.eva_event_log": { tags: { primaryKey: "id" } },
        // Per-delivery plumbing of event subscriptions: read in psql (README), not in the API,
        // whose introspection would otherwise outgrow the cost limit.
        "eva.event_deliveries": { tags: { behavior: "-*" } },
        // Content moves only through its functions: no generic row mutations beside them.
        ...Object.fromEntries(
          [
            "marketing.marketing_content",
            "marketing.marketing_content_variants",
            "marketing.marketing_content_transitions",
            "marketing.marketing_content_reviews",
          ].map((table) => [table, { tags: { behavior: "-insert -update -delete" } }]),
        ),
        ...Object.fromEntries(
          ["eva.notifications", "eva.metric_anomalies", "eva.eva_event_dlq"].map((table) => [
            table,
            { tags: { foreignKey: "(event_id) references eva.eva_event_log (id)" } },
          ]),
        ),
      },
      // The feed's order is an implementation detail: clients pass the opaque `cursor` back.
      attribute: {
        "eva.eva_event_log.xact_id": { tags: { behavior: "-*" } },
        // Embeddings exist only where pgvector is installed: their columns' own comments keep them out
        // (@behavior -*, eva_private.fn_search_enable_embeddings), so a server without them builds no rule
        // that matches nothing.
        // A pending decision's copies of its venture's queue columns (eva.decision_queue reads them; no
        // longer kept once decided): clients read the queue, and the venture itself.
        ...Object.fromEntries(
          ["venture_name", "venture_priority_base", "venture_stage_entered_at"].map((column) => [
            `eva.chairman_decisions.${column}`,
            { tags: { behavior: "-*" } },
          ]),
        ),
      },
    },
  },
  null,
  { name: "EvaSmartTagsPlugin", description: "Hides EVA's service-only functions from the Chairman's API" },
);

const LIST_ONLY_COMPUTED = new Set(["chairman_decisions_summary", "chairman_decisions_choices"]);

/** `fn_decide` → `decide`, `fn_create_venture` → `createVenture`: the API names what a function does (and marketing's tables their own names). */
export const EvaFunctionNamesPlugin: GraphileConfig.Plugin = {
  name: "EvaFunctionNamesPlugin",
  version: "1.0.0",
  inflection: {
    replace: {
      // The marketing schema's names need no "Marketing" prefix: its tables and functions are named apart from eva's.
      _schemaPrefix(previous, _options, details) {
        if (details.pgNamespace.nspname === "marketing") return "";
        return previous ? previous(details) : "";
      },
      _functionName(previous, _options, details) {
        const name = previous ? previous(details) : details.resource.name;
        return details.resource.extensions?.tags?.name ? name : name.replace(/^fn_/, "");
      },
      // A decision's `summary` and `choices` are its only form (lists, no connection): no "List" suffix.
      computedAttributeListField(previous, _options, details) {
        if (LIST_ONLY_COMPUTED.has(details.resource.name)) return this.computedAttributeField(details);
        return previous ? previous(details) : this.computedAttributeField(details);
      },
    },
  },
};
