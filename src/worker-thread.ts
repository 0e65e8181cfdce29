// An EVA worker on its own thread (src/worker-thread-main.ts): `eva start`
// runs the API and the stage worker in one process, and on one event loop a
// burst of requests (or a heavy one) stalled stage work and stage work slowed
// the API's answers. Here the worker has its own event loop and heap; its log
// lines are printed by the calling thread.
import { Worker } from "node:worker_threads";

export interface WorkerThreadData {
  url: string;
  concurrency: number;
  /** "env": the analysts the environment configures (createAnalysts); "offline": the offline analyst. */
  analyst: "env" | "offline";
  schedule?: boolean;
}

export type FromWorkerThread =
  | { type: "ready" }
  | { type: "log"; line: string }
  | { type: "stopped" }
  | { type: "failed"; message: string };

export interface WorkerThreadOptions {
  url: string;
  concurrency?: number;
  analyst?: "env" | "offline";
  /** Register the master scheduler's crontab (default true). */
  schedule?: boolean;
  log?: (line: string) => void;
}

export interface WorkerThreadHandle {
  /** Finishes the running jobs, stops the worker and ends the thread. */
  stop(): Promise<void>;
  /**
   * Rejects when the thread fails or ends after its worker started, without being told to stop (a crash that
   * would have ended the process when the worker ran on the main thread); never resolves.
   */
  failure: Promise<never>;
}

/** The thread's entry beside this module: the TypeScript source, or the built dist/ file. */
function entry(): URL {
  const built = !import.meta.url.endsWith(".ts");
  return new URL(built ? "./worker-thread-main.js" : "./worker-thread-main.ts", import.meta.url);
}

/** Starts a worker thread and resolves once its worker runs (rejects with the thread's error if it cannot start). */
export async function startWorkerThread(options: WorkerThreadOptions): Promise<WorkerThreadHandle> {
  const log = options.log ?? (() => {});
  const data: WorkerThreadData = {
    url: options.url,
    concurrency: options.concurrency ?? 4,
    analyst: options.analyst ?? "env",
    ...(options.schedule === false ? { schedule: false } : {}),
  };
  const thread = new Worker(entry(), { workerData: data });
  let ready: () => void = () => {};
  let failed: (error: Error) => void = () => {};
  let started = false;
  let stopping: Promise<void> | undefined;
  let stopped: (() => void) | undefined;
  let fail: (error: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    fail = reject;
  });
  // Awaited by whoever watches the worker; never an unhandled rejection meanwhile.
  failure.catch(() => {});
  const starting = new Promise<void>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
  thread.on("message", (message: FromWorkerThread) => {
    if (message.type === "log") log(message.line);
    else if (message.type === "ready") {
      started = true;
      ready();
    } else if (message.type === "stopped") stopped?.();
    else if (message.type === "failed") {
      if (started) fail(new Error(`the worker failed: ${message.message}`));
      else failed(new Error(`the worker thread could not start: ${message.message}`));
    }
  });
  thread.on("error", (error) => {
    if (started) fail(new Error(`the worker failed: ${error.stack ?? error.message}`));
    else failed(error);
  });
  thread.once("exit", (code) => {
    if (!started) failed(new Error(`the worker thread exited (code ${code}) before its worker started`));
    else if (!stopping) fail(new Error(`the worker thread ended (code ${code}) without being told to stop`));
  });
  try {
    await starting;
  } catch (error) {
    await thread.terminate();
    throw error;
  }
  return {
    failure,
    stop() {
      stopping ??= (async () => {
        const done = new Promise<void>((resolve) => {
          stopped = resolve;
        });
        thread.postMessage("stop");
        // Stopped cleanly, or the thread ended some other way: either way it is over.
        await Promise.race([done, exited]);
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
        await thread.terminate();
      })();
      return stopping;
    },
  };
}
