/**
 * The render worker (dist/export-render.mjs): converts pages off the main thread, so a large export's
 * conversions do not hold back the responses of the downloads running meanwhile. `workerData` maps each
 * exported page's title to its path; every message is a RenderJob, answered in order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { storageToMarkdown } from "../../markdown/index.js";
import { type RenderJob, renderPage } from "./render.js";

const paths = new Map<string, string>(workerData as Array<[string, string]>);
parentPort!.on("message", (message: { n: number; job: RenderJob }) => {
  try {
    const result = renderPage(storageToMarkdown, message.job, (title) => paths.get(title) ?? null);
    parentPort!.postMessage({ n: message.n, result });
  } catch (error) {
    parentPort!.postMessage({ n: message.n, error: error instanceof Error ? error.message : String(error) });
  }
});
