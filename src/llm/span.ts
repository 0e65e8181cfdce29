// The span of one analysis (an LLM call, repairs included, or the offline
// analyst's simulation), with OpenTelemetry's gen_ai.* attributes: model,
// token usage; the venture and stage come from the stage run's span.
import { type Span, withSpan } from "../orchestration/tracing.ts";
import { AnalysisFailed, type AnalysisRequest, type AnalysisResult, type LlmUsage } from "./types.ts";

function usageAttributes(usage: LlmUsage) {
  return {
    "gen_ai.usage.input_tokens": usage.promptTokens,
    "gen_ai.usage.output_tokens": usage.completionTokens,
    "eva.llm.tokens_estimated": usage.estimated,
  };
}

export function analysisSpan<T>(
  provider: string,
  model: string,
  request: AnalysisRequest<T>,
  extra: Record<string, string | number>,
  fn: (span: Span) => Promise<AnalysisResult<T>>,
): Promise<AnalysisResult<T>> {
  return withSpan(
    `chat ${model}`,
    {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": provider,
      "gen_ai.system": provider,
      "gen_ai.request.model": model,
      "eva.llm.schema": request.schemaName,
      ...extra,
    },
    async (span) => {
      try {
        const result = await fn(span);
        span.setAttributes({
          ...usageAttributes(result.usage),
          "gen_ai.response.model": result.provenance.model,
          "eva.llm.cached": result.provenance.cached,
          "eva.llm.attempts": result.provenance.attempts,
        });
        return result;
      } catch (error) {
        if (error instanceof AnalysisFailed) {
          span.setAttributes({ ...usageAttributes(error.usage), "eva.llm.attempts": error.attempts });
        }
        throw error;
      }
    },
  );
}
