// The body of a worker thread started by startWorkerThread (src/worker-thread.ts):
// an EVA worker (src/worker.ts) on its own event loop, so the API beside it in
// `eva start` answers while stages run. Its log lines go to the parent thread,
// which prints them; it stops when told to.
import { parentPort, workerData } from "node:worker_threads";
import { connect } from "./db/client.ts";
import { createDatabaseCache } from "./llm/cache.ts";
import { createAnalysts } from "./llm/factory.ts";
import { createOfflineAnalyst } from "./llm/offline-analyst.ts";
import { startWorker } from "./worker.ts";
import type { FromWorkerThread, WorkerThreadData } from "./worker-thread.ts";

const port = parentPort;
if (!port) throw new Error("src/worker-thread-main.ts runs in a worker thread (startWorkerThread)");
const send = (message: FromWorkerThread) => port.postMessage(message);
const data = workerData as WorkerThreadData;

try {
  const service = connect(data.url, { max: 2, applicationName: "eva-worker-cache", role: "eva_service" });
  const cache = createDatabaseCache(service.db);
  const { analyst, adversary } =
    data.analyst === "offline"
      ? { analyst: createOfflineAnalyst({ cache }), adversary: undefined }
      : createAnalysts(process.env, { cache });
  const worker = await startWorker({
    url: data.url,
    analyst,
    ...(adversary ? { adversary } : {}),
    concurrency: data.concurrency,
    ...(data.schedule === false ? { schedule: false } : {}),
    log: (line) => send({ type: "log", line }),
  });
  port.on("message", (message: unknown) => {
    if (message !== "stop") return;
    void (async () => {
      try {
        await worker.stop();
        await service.close();
        send({ type: "stopped" });
      } catch (error) {
        send({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      } finally {
        port.close();
      }
    })();
  });
  send({ type: "ready" });
} catch (error) {
  send({ type: "failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  port.close();
}
