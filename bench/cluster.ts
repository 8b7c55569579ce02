/**
 * The web server as a Node cluster, for the sign benchmark's BENCH_WEB_WORKERS=2 experiment only:
 * the primary forks that many copies of server/index.ts, which share the listening port.
 * BENCH_CLUSTER_SCHED=rr lets the primary hand out connections round-robin (Node's default on
 * Linux); the default here is "none", the kernel spreading accepts over the workers.
 */
import cluster from "node:cluster";

if (cluster.isPrimary) {
  cluster.schedulingPolicy = process.env.BENCH_CLUSTER_SCHED === "rr" ? cluster.SCHED_RR : cluster.SCHED_NONE;
  const count = Math.max(1, Number(process.env.BENCH_WEB_WORKERS ?? 2) || 2);
  for (let i = 0; i < count; i++) cluster.fork();
  let listening = 0;
  cluster.on("listening", () => {
    if (++listening === count) console.log(`cluster listening: ${count} workers`);
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  cluster.on("exit", (worker, code) => {
    if (!stopping) {
      console.error(`web worker ${worker.process.pid} exited with ${code}; stopping the cluster`);
      stop("SIGTERM");
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopping ? 0 : 1);
  });
} else {
  await import("../server/index");
}
