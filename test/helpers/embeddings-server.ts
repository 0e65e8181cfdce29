// A local HTTP server speaking the OpenAI embeddings API (POST /v1/embeddings):
// each input's vector is [its length, 1, 0], so texts of similar length are near
// in meaning. Records every request.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface EmbeddingsServer {
  /** The base URL to give as OPENAI_BASE_URL. */
  url: string;
  requests: { model: string; input: string[] }[];
  close(): Promise<void>;
}

export async function startEmbeddingsServer(): Promise<EmbeddingsServer> {
  const requests: EmbeddingsServer["requests"] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const parsed = JSON.parse(body) as { model: string; input: string[] };
      requests.push(parsed);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          object: "list",
          model: parsed.model,
          data: parsed.input.map((text, index) => ({ object: "embedding", index, embedding: [text.length, 1, 0] })),
          usage: { prompt_tokens: 3, total_tokens: 3 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
