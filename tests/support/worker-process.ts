/**
 * The real worker as a process of its own, for tests that kill it (`kill -9`) or stop it (SIGTERM).
 * Run with `node --import tsx tests/support/worker-process.ts` so the PID the test holds is the
 * worker itself. Its configuration comes as JSON in BANNER_TEST_WORKER (a WorkerConfig); it
 * prints "ready" once started and stops gracefully on SIGTERM, as workers/index.ts does.
 */
import { startWorker, type WorkerConfig } from "../../workers/worker";

const config = JSON.parse(process.env.BANNER_TEST_WORKER ?? "{}") as WorkerConfig;
const worker = await startWorker(config);
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void worker.stop().then(() => process.exit(0));
});
