import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { PG_ADMIN_URL } from "../support/db";
import { freePort } from "../support/redis";

/**
 * Engines of a test's own, on free ports: PgBouncer (transaction pooling, in front of the shared
 * Postgres), a three-master Redis Cluster and nginx. Each is stopped by the PID the test started,
 * never by name. PgBouncer refuses to run as root, so the engines run as an unprivileged user.
 */

const TEST_USER = "banner-test";

export const ROOT = path.resolve(import.meta.dirname, "../..");

interface Account {
  uid: number;
  gid: number;
}

/** The unprivileged account the engines run as (made once with useradd when missing). */
export function engineAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined; // not root: run as ourselves
  const look = () => spawnSync("id", ["-u", TEST_USER], { encoding: "utf8" });
  if (look().status !== 0) execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER]);
  const uid = Number(look().stdout.trim());
  const gid = Number(spawnSync("id", ["-g", TEST_USER], { encoding: "utf8" }).stdout.trim());
  return { uid, gid };
}

/** A scratch folder the engine account can write to. */
export function scratchDir(label: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `banner-${label}-`));
  chmodSync(dir, 0o777);
  return dir;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A free port whose +10000 (a cluster node's bus) is free too, both below the kernel's ephemeral
 * range. Drawn from the ephemeral range as before, the bus port was free when checked and then
 * taken by an outgoing connection of a test running beside this one, and the node exited with
 * "Could not create server TCP listening socket … Address already in use" (seen once in CI).
 * Nothing takes a port below that range unless it asks for that very port.
 */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const high = ephemeralLow - 10_000 - 1;
  for (let i = 0; i < 200; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error("no free port pair for a Redis Cluster node");
}

/** The kernel's range for outgoing connections' ports (Linux's default when it cannot be read). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low && high && low > 20_001) return [low, high];
  } catch {
    // not Linux: the default below
  }
  return [32_768, 60_999];
}

export interface Engine {
  child: ChildProcess;
  log: () => string;
}

function startEngine(command: string, args: string[], account: Account | undefined, cwd: string): Engine {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], ...(account ?? {}) });
  let out = "";
  child.stdout!.on("data", (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on("data", (d) => (out = (out + d).slice(-20_000)));
  return { child, log: () => out };
}

export async function stopEngine(engine: Engine | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!engine || engine.child.exitCode !== null || engine.child.signalCode !== null) return;
  const exited = new Promise((r) => engine.child.once("exit", r));
  engine.child.kill(signal);
  const timer = setTimeout(() => engine.child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what: string, check: () => Promise<boolean>, engine: Engine, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (engine.child.exitCode !== null) throw new Error(`${what} exited with ${engine.child.exitCode}:\n${engine.log()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start:\n${engine.log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PgBouncer {
  port: number;
  /** The URL of a database through PgBouncer. */
  url(database: string): string;
  stop(): Promise<void>;
}

/**
 * PgBouncer in transaction pooling with a small server pool, so that consecutive transactions
 * of one client land on different server connections, as they do in production under load.
 */
export async function startPgBouncer({ poolSize = 3 } = {}): Promise<PgBouncer> {
  const account = engineAccount();
  const dir = scratchDir("pgbouncer");
  const port = await freePort();
  const upstream = new URL(PG_ADMIN_URL);
  const config = [
    "[databases]",
    `* = host=${upstream.hostname} port=${upstream.port || 5432} user=${decodeURIComponent(upstream.username || "postgres")}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = any",
    "pool_mode = transaction",
    "max_client_conn = 1000",
    `default_pool_size = ${poolSize}`,
    "ignore_startup_parameters = extra_float_digits,options",
    `logfile = ${dir}/pgbouncer.log`,
    `pidfile = ${dir}/pgbouncer.pid`,
    "",
  ].join("\n");
  writeFileSync(path.join(dir, "pgbouncer.ini"), config);
  const engine = startEngine("/usr/sbin/pgbouncer", [path.join(dir, "pgbouncer.ini")], account, dir);
  const pg = (await import("pg")).default;
  await waitFor(
    "pgbouncer",
    async () => {
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1_000 });
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return true;
    },
    { ...engine, log: () => engine.log() + safeRead(path.join(dir, "pgbouncer.log")) },
  );
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async stop() {
      await stopEngine(engine, "SIGINT");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-5_000);
  } catch {
    return "";
  }
}

export interface RedisClusterEngines {
  /** "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3", as REDIS_CLUSTER_NODES takes it */
  nodes: string;
  ports: number[];
  stop(): Promise<void>;
}

/** Three masters, no replicas, slots spread by redis-cli; ready once every node says "ok". */
export async function startRedisCluster(): Promise<RedisClusterEngines> {
  const account = engineAccount();
  const dir = scratchDir("cluster");
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freeClusterPort(taken);
    taken.add(port).add(port + 10_000);
    ports.push(port);
  }
  const engines = ports.map((port) =>
    startEngine(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`,
        "--cluster-node-timeout", "2000", "--save", "", "--appendonly", "no", "--dir", dir],
      account,
      dir,
    ),
  );
  const stop = async () => {
    await Promise.all(engines.map((e) => stopEngine(e)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, port] of ports.entries()) {
      await waitFor(`redis-server ${port}`, async () => (await spawnOutput("redis-cli", ["-p", String(port), "ping"])) === "PONG", engines[i]!);
    }
    const created = spawnSync("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-yes"], { encoding: "utf8" });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`);
    for (const [i, port] of ports.entries()) {
      await waitFor(`cluster state on ${port}`, async () => (await spawnOutput("redis-cli", ["-p", String(port), "cluster", "info"])).includes("cluster_state:ok"), engines[i]!);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((p) => `127.0.0.1:${p}`).join(","), ports, stop };
}

async function spawnOutput(command: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", () => resolve(out.trim()));
    child.on("error", () => resolve(""));
  });
}

/** Every key of a cluster (for checks): SCAN on each master. */
export async function clusterKeys(ports: number[], match = "*"): Promise<string[]> {
  const keys: string[] = [];
  for (const port of ports) {
    const node = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 1 });
    try {
      let cursor = "0";
      do {
        const [next, found] = await node.scan(cursor, "MATCH", match, "COUNT", 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== "0");
    } finally {
      node.disconnect();
    }
  }
  return keys;
}

export interface Nginx {
  port: number;
  url: string;
  cacheDir: string;
  stop(): Promise<void>;
}

/**
 * nginx with deploy/nginx.conf, its upstream servers, port and paths swapped for the test's own.
 * The lines it swaps are marked in that file.
 */
export async function startNginx(upstreams: string[], port?: number): Promise<Nginx> {
  const account = engineAccount();
  const dir = scratchDir("nginx");
  port ??= await freePort();
  let conf = readFileSync(path.join(ROOT, "deploy/nginx.conf"), "utf8");
  const replace = (pattern: RegExp, value: string) => {
    if (!pattern.test(conf)) throw new Error(`deploy/nginx.conf lacks ${pattern}`);
    conf = conf.replace(pattern, value);
  };
  replace(/^\s*server banner-web:3000[^\n]*$/m, upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=2s;`).join("\n"));
  replace(/^\s*listen 8080;[^\n]*$/m, `    listen 127.0.0.1:${port};`);
  replace(/^pid [^\n]*$/m, `pid ${dir}/nginx.pid;`);
  replace(/^user [^\n]*$/m, "");
  conf = conf.replaceAll("/var/cache/nginx", dir).replaceAll("/dev/stdout", `${dir}/access.log`);
  writeFileSync(path.join(dir, "nginx.conf"), conf);
  const engine = startEngine("/usr/sbin/nginx", ["-p", dir, "-e", `${dir}/error.log`, "-c", path.join(dir, "nginx.conf"), "-g", "daemon off; master_process off;"], account, dir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor("nginx", async () => (await fetch(`${url}/healthz`)).status > 0, { ...engine, log: () => engine.log() + safeRead(`${dir}/error.log`) });
  return {
    port,
    url,
    cacheDir: dir,
    async stop() {
      await stopEngine(engine, "SIGQUIT");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
