// Where pgvector is installed, eva.search_documents has an embedding column of
// type eva_ext.vector, which PostGraphile has no codec for (it would warn on
// every schema build). This gives it one — the vector's text form, as pgvector
// prints it — and the column stays out of the API (its comment's @behavior -*):
// clients search through `search`, so the schema is the same on every server. The codec maps to
// String before PgCodecsPlugin walks the codecs, so no schema build warns that it
// has no GraphQL type.
import { gatherConfig } from "graphile-build";

export const EvaPgvectorCodecPlugin: GraphileConfig.Plugin = {
  name: "EvaPgvectorCodecPlugin",
  version: "1.0.0",
  gather: gatherConfig({
    initialState(_cache, { lib }) {
      const { sql } = lib;
      return {
        vectorCodec: {
          name: "vector",
          sqlType: sql.identifier("eva_ext", "vector"),
          toPg: (text: string) => text,
          fromPg: (text: string) => text,
          executor: null,
          attributes: undefined,
        },
      };
    },
    hooks: {
      async pgCodecs_findPgCodec(info, event) {
        if (event.pgCodec || event.pgType.typname !== "vector") return;
        const vector = await info.helpers.pgIntrospection.getExtensionByName(event.serviceName, "vector");
        if (vector && event.pgType.typnamespace === vector.extnamespace) event.pgCodec = info.state.vectorCodec;
      },
    },
  }),
  schema: {
    hooks: {
      init: {
        before: ["PgCodecsPlugin"],
        callback(init, build) {
          const codec = build.input.pgRegistry.pgCodecs.vector;
          if (codec) build.setGraphQLTypeForPgCodec(codec, ["input", "output"], "String");
          return init;
        },
      },
    },
  },
};
