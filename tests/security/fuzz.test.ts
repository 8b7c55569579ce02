/**
 * Every route, walked with hostile input (oversized values, wrong types, invalid UTF-8 and
 * percent-encoding, prototype keys, CRLF and control characters in query parameters, cookies,
 * headers, path segments and bodies), signed out, as an admin and as an organiser of the campaign
 * walked: no answer is a 5xx, none hangs, and no row is written. The routes are read from
 * app/routes, so a new route is walked without editing this file.
 *
 * Fast by design rather than exhaustive: each request carries many hostile values at once (every
 * query parameter, a cookie, a header, every body field), and which value lands where rotates
 * with the route and the identity, so every hostile value reaches every kind of input across the
 * walk (the test checks that) without sending every product of them. Requests go over keep-alive
 * connections, a few at a time. `BANNER_FUZZ=full` walks every body shape and cookie with every
 * identity on every route as well (several times the requests; for a quiet machine).
 */
import { readdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../support/fixtures";
import { createOrganisation, signedInUser } from "../support/organisers";
import { rowCounts, startSecurityStack, type SecurityStack } from "./stack";

const FULL = process.env.BANNER_FUZZ === "full";
/** Requests in flight at once: enough to keep both cores busy while one request waits on Postgres. */
const CONCURRENCY = 4;
/** A request that has no answer by then counts as a hang. */
const REQUEST_TIMEOUT_MS = 20_000;

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack("secfuzz");
});
afterAll(async () => stack?.stop());

/** Percent-encoded as they go on the wire: some are not valid UTF-8 or not valid encoding at all. */
const HOSTILE = [
  "A".repeat(8000),
  "%E0%A4",
  "%",
  "%00",
  "%0D%0ASet-Cookie:%20x=1",
  "%09/evil.example",
  "__proto__",
  "-1",
  "1e309",
  "99999999999999999999999",
  "..%2F..%2Fetc%2Fpasswd",
  "%3Cscript%3Ealert(1)%3C/script%3E",
  "%C0%AE",
  "%FF%FE",
  "%7B%22__proto__%22:%7B%22x%22:1%7D%7D",
  "%01%02%1B%7F",
  "constructor",
  "%E3%80%82",
  "%2e%2e",
  "",
];

/** Query parameters the routes read, plus prototype keys and array syntax. */
const PARAMS = ["next", "lang", "hours", "by", "format", "bom", "to", "page", "q", "partner", "ref", "via", "index", "_data", "filter", "before", "queue", "__proto__", "constructor[prototype][x]", "intent[]"];

/** Form fields the actions read (from the name= attributes in app/), plus prototype keys. */
const FIELDS = [
  "intent", "email", "password", "name", "displayName", "country", "postalCode", "consent", "comment", "slug", "title", "summary", "ask",
  "argumentMd", "bodyMd", "goal", "deadline", "locale", "role", "userId", "campaignId", "signatureId", "partnerId", "keyId", "sessionId",
  "jobId", "queue", "decision", "note", "to", "from", "subject", "scope", "newPassword", "currentPassword", "organisation", "countries",
  "ipRange", "emailDomain", "color", "link", "alt", "optInPartner", "next", "ref", "via", "__proto__", "constructor[prototype][admin]",
];

/** The value of a cookie, as it goes on the wire (a Cookie header cannot carry CR, LF or NUL). */
const HOSTILE_COOKIES = ["%E0%A4", "%FF", "__proto__", "x".repeat(3000), '"unterminated', "%", "\u00ff\u00e0", "a=b=c", "%0D%0A"];
const COOKIE_NAMES = ["lang", "banner_session", "__proto__", "theme"];

/** Headers every request path reads or might (Accept-Language for the locale, proxies, referrers). */
const HOSTILE_HEADERS: [string, string][] = [
  ["Accept-Language", "\u00ff\u00fe;q=abc,,*;q=-1"],
  ["Accept-Language", "x".repeat(4000)],
  ["X-Forwarded-For", "not-an-address, , ::ffff:999.1.1.1"],
  ["X-Forwarded-Proto", "https, javascript"],
  ["X-Forwarded-Host", "evil.example:99999"],
  ["Referer", "http://[::1"],
  ["User-Agent", "\u00ff\u00c3(".repeat(500)],
  ["If-None-Match", '"' + "W/".repeat(1000)],
  ["If-Modified-Since", "not a date"],
  ["Range", "bytes=99999999999999999999-1"],
  ["Accept", "*/*;q=NaN"],
  ["Content-Language", "__proto__"],
];

const INVALID_UTF8 = new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xc3, 0x28, 0x26, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x3d, 0xff, 0xfe, 0x26, 0x69, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x3d, 0xc0, 0xaf]);

type Body = { type: string; body: string | Uint8Array<ArrayBuffer> };

/** A form post whose every field carries a hostile value, rotated by `round`. */
function hostileForm(round: number): Body {
  const fields = FIELDS.map((f, i) => `${encodeURIComponent(f)}=${HOSTILE[(i + round) % HOSTILE.length]}`);
  // Repeated fields (a string where one is expected becomes a list).
  fields.push(`email=${HOSTILE[round % HOSTILE.length]}`, "email[]=x", "goal=1&goal=2");
  return { type: "application/x-www-form-urlencoded", body: fields.join("&") };
}

const multipart = (parts: string) => ({ type: "multipart/form-data; boundary=x", body: `${parts}--x--\r\n` });

/** Bodies whose shape is the attack (what fills the fields is hostileForm's job). */
const BODY_SHAPES: Body[] = [
  { type: "application/x-www-form-urlencoded", body: INVALID_UTF8 },
  { type: "application/x-www-form-urlencoded", body: `name=${"A".repeat(200_000)}&intent=${"B".repeat(100_000)}` },
  { type: "application/json", body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"email":["a"],"name":{"$gt":""},"goal":1e309}' },
  { type: "application/json", body: "{not json" },
  { type: "application/json", body: "[".repeat(5000) },
  multipart('--x\r\nContent-Disposition: form-data; name="name"\r\n\r\n\u0000\r\n--x\r\nContent-Disposition: form-data; name="intent"\r\n\r\n__proto__\r\n'),
  multipart('--x\r\nContent-Disposition: form-data; name="image"; filename="../\u0000.png"\r\nContent-Type: image/png\r\n\r\n\u0089PNG\r\n\u001a\nnot really\r\n--x\r\nContent-Disposition: form-data; name="logo"; filename="x.svg"\r\nContent-Type: image/svg+xml\r\n\r\n<svg onload=alert(1)>\r\n'),
  { type: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno closing boundary" },
  { type: "multipart/form-data", body: "no boundary at all" },
  { type: "text/plain", body: "\u0000\u0001\u0002" },
  { type: "application/x-www-form-urlencoded; charset=utf-16", body: "\u00ff\u00fen\u0000a\u0000" },
];

interface Identity {
  label: string;
  cookie: string;
}

/** The URL paths of app/routes: each a list of segments, a dynamic one marked with its name. */
function routeTemplates(): { file: string; segments: { value: string; dynamic: boolean }[]; langPrefix: boolean }[] {
  const dir = path.resolve(import.meta.dirname, "../../app/routes");
  return readdirSync(dir)
    .sort()
    .map((file) => {
      const name = file.replace(/\.(tsx|ts)$/, "").replace(/\[\.png\]/, "\u0000png");
      const parts = name.split(".");
      const segments = parts
        .filter((s) => s !== "($lang)" && s !== "_index")
        .map((s) => s.replace(/_$/, "").replace("\u0000png", ".png"))
        .map((s) => ({ value: s, dynamic: s.startsWith("$") }));
      return { file, segments, langPrefix: parts[0] === "($lang)" };
    });
}

describe("hostile input on every route", () => {
  it("no 5xx, no hang and nothing written, signed out, as admin and as organiser", async () => {
    const org = await createOrganisation(stack.tdb.db);
    const campaign = await createCampaign(stack.tdb.db);
    await stack.tdb.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();
    const admin = await signedInUser(stack.tdb.db, { role: "admin" });
    const organiser = await signedInUser(stack.tdb.db, { organisationId: org.id });
    const identities: Identity[] = [
      { label: "signed out", cookie: "" },
      { label: "admin", cookie: admin.cookie },
      { label: "organiser", cookie: organiser.cookie },
    ];
    /** A real value for a route segment, so the walk gets past "not found" into the route's own checks. */
    const fill = (segment: string, previous?: string) => {
      if (segment === "$") return "anything/at/all";
      if (segment === "$slug") return previous === "orgs" || previous === "organisations" ? org.slug : campaign.slug;
      if (segment === "$token") return "not-a-real-token";
      if (segment === "$file") return "0123456789abcdef-800.webp";
      if (segment.startsWith("$")) return String(campaign.id);
      return segment.replace(/\$slug/, campaign.slug);
    };
    const templates = routeTemplates();
    expect(templates.length).toBeGreaterThan(40);

    type Planned = { label: string; path: string; init: RequestInit };
    const plan: Planned[] = [];
    /** Which hostile value reached which kind of input: every pair must occur once at least. */
    const reached = new Set<string>();
    const cookieFor = (identity: Identity, n: number) => {
      const hostile = `${COOKIE_NAMES[n % COOKIE_NAMES.length]}=${HOSTILE_COOKIES[n % HOSTILE_COOKIES.length]}`;
      reached.add(`cookie:${n % HOSTILE_COOKIES.length}`);
      return identity.cookie ? `${identity.cookie}; ${hostile}` : hostile;
    };
    const headerFor = (n: number): Record<string, string> => {
      const [name, value] = HOSTILE_HEADERS[n % HOSTILE_HEADERS.length]!;
      reached.add(`header:${n % HOSTILE_HEADERS.length}`);
      return { [name]: value };
    };
    const query = (n: number) => {
      PARAMS.forEach((_, i) => reached.add(`query:${(i + n) % HOSTILE.length}`));
      return PARAMS.map((p, i) => `${encodeURIComponent(p)}=${HOSTILE[(i + n) % HOSTILE.length]}`).join("&");
    };
    const form = (n: number) => {
      FIELDS.forEach((_, i) => reached.add(`body:${(i + n) % HOSTILE.length}`));
      return hostileForm(n);
    };
    const shape = (n: number) => {
      reached.add(`shape:${n % BODY_SHAPES.length}`);
      return BODY_SHAPES[n % BODY_SHAPES.length]!;
    };

    let n = 0;
    for (const [r, { file, segments, langPrefix }] of templates.entries()) {
      const plain = `/${segments.map((s, i) => fill(s.value, segments[i - 1]?.value)).join("/")}`.replace(/\/$/, "") || "/";
      for (const [k, identity] of identities.entries()) {
        // Signing out ends the session every later request of this identity relies on.
        const signsOut = file.startsWith("logout") && identity.cookie !== "";
        n++;
        plan.push({ label: `GET ${plain} ${identity.label}`, path: `${plain}?${query(n)}`, init: { headers: { Cookie: cookieFor(identity, n), ...headerFor(n) } } });
        if (signsOut) continue;
        const bodies = FULL ? [form(n), ...BODY_SHAPES.map((_, s) => shape(s))] : [(r + k) % 2 === 0 ? form(n) : shape(n)];
        for (const [b, { type, body }] of bodies.entries()) {
          // Same-origin, as a browser's form post would be: the cross-site check is tested elsewhere.
          plan.push({
            label: `POST ${plain} ${identity.label} body ${b}`,
            path: `${plain}?${query(n + b + 7)}`,
            init: { method: "POST", body, headers: { "Content-Type": type, Origin: stack.web.url, Cookie: cookieFor(identity, n + b), ...headerFor(n + b + 5) } },
          });
        }
        if (FULL) {
          for (const c of HOSTILE_COOKIES.keys()) {
            // With a hostile query too: a bare GET of a download (the counts export) is a real export, audited.
            plan.push({ label: `GET ${plain} ${identity.label} cookie ${c}`, path: `${plain}?${query(n + c)}`, init: { headers: { Cookie: cookieFor(identity, c) } } });
          }
        }
      }
      // Each dynamic segment (and the optional language one) hostile in turn, by a rotating identity.
      const dynamicAt = segments.flatMap((s, i) => (s.dynamic ? [i] : []));
      for (const at of dynamicAt) {
        n++;
        const value = HOSTILE[n % HOSTILE.length]!.replaceAll("/", "%2F") || "%20";
        reached.add(`segment:${n % HOSTILE.length}`);
        const p = `/${segments.map((s, i) => (i === at ? value : fill(s.value, segments[i - 1]?.value))).join("/")}`;
        const identity = identities[n % identities.length]!;
        plan.push({ label: `GET ${p.slice(0, 80)} ${identity.label}`, path: p, init: { headers: { Cookie: cookieFor(identity, n) } } });
        plan.push({ label: `POST ${p.slice(0, 80)} ${identity.label}`, path: p, init: { method: "POST", body: form(n).body, headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: stack.web.url, Cookie: cookieFor(identity, n) } } });
      }
      if (langPrefix) {
        n++;
        const value = HOSTILE[n % HOSTILE.length]!.replaceAll("/", "%2F") || "%20";
        reached.add(`segment:${n % HOSTILE.length}`);
        const identity = identities[n % identities.length]!;
        plan.push({ label: `GET /${value.slice(0, 40)}${plain} ${identity.label}`, path: `/${value}${plain === "/" ? "" : plain}`, init: { headers: { Cookie: cookieFor(identity, n) } } });
      }
    }
    // Path segments with no route behind them, and segments no route template produces.
    for (const [i, value] of HOSTILE.entries()) {
      reached.add(`segment:${i}`);
      plan.push({ label: `GET /campaigns/${value.slice(0, 40)}`, path: `/campaigns/${value.replaceAll("/", "%2F") || "%20"}`, init: {} });
    }
    for (const p of ["/%E0%A4/", "/%", "/..%2F..%2F", "/assets/%00", "/assets/..%2F..%2Fpackage.json", "/media/%FF/x", "//evil.example/x", "/dashboard/campaigns/1e309/stats", "/api/v1/campaigns/%FF"]) {
      plan.push({ label: `GET ${p}`, path: p, init: { headers: { Cookie: cookieFor(identities[1]!, 0) } } });
    }

    for (const kind of ["query", "body", "segment"]) {
      for (const i of HOSTILE.keys()) expect(reached, `${kind} never got hostile value ${i}`).toContain(`${kind}:${i}`);
    }
    for (const i of HOSTILE_COOKIES.keys()) expect(reached).toContain(`cookie:${i}`);
    for (const i of HOSTILE_HEADERS.keys()) expect(reached).toContain(`header:${i}`);
    for (const i of BODY_SHAPES.keys()) expect(reached).toContain(`shape:${i}`);

    const before = await rowCounts(stack.tdb);
    const failures: string[] = [];
    const slowest: { ms: number; label: string }[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < plan.length) {
        const { label: base, path: p, init } = plan[next++]!;
        const headers = (init.headers ?? {}) as Record<string, string>;
        const extra = Object.keys(headers).filter((h) => h !== "Cookie" && h !== "Origin");
        const label = `${base.slice(0, 160)} [${extra.map((h) => (h === "Content-Type" ? headers[h]!.slice(0, 40) : h)).join(", ")}] ${p.slice(0, 60)}`;
        const t0 = Date.now();
        try {
          const res = await fetch(`${stack.web.url}${p}`, { redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...init });
          await res.arrayBuffer();
          if (res.status >= 500) failures.push(`${res.status} ${label}`);
        } catch (error) {
          failures.push(`no answer: ${label} (${String(error)}${error instanceof Error && error.cause ? `: ${String(error.cause)}` : ""})`);
        }
        slowest.push({ ms: Date.now() - t0, label: label.slice(0, 100) });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const raw = await rawRequests(stack.web.port);
    failures.push(...raw.failures);
    const seconds = (Date.now() - started) / 1000;
    slowest.sort((a, b) => b.ms - a.ms);
    console.info(
      `fuzz walk: ${plan.length + raw.count} requests over ${templates.length} route files in ${seconds.toFixed(1)} s` +
        ` (slowest: ${slowest.slice(0, 5).map((s) => `${s.ms} ms ${s.label}`).join("; ")})`,
    );

    if (failures.length > 0) console.info(`web server's output:\n${stack.web.output().slice(-20_000)}`);
    expect(failures).toEqual([]);
    const after = await rowCounts(stack.tdb);
    // The social card is a cache of a rendering (Postgres-held so every web process shares it), not data.
    delete before.social_cards;
    delete after.social_cards;
    expect(after).toEqual(before);
  }, FULL ? 900_000 : 170_000);
});

describe("what the walk found", () => {
  it("an answer sent before its request's body was read leaves the keep-alive connection usable", async () => {
    // A form over the 16 KiB limit is answered without being read; the next request on the same
    // connection used to wait forever behind the unread rest.
    const body = `email=a%40example.org&password=${"x".repeat(200_000)}`;
    const first = `POST /login HTTP/1.1\r\nHost: 127.0.0.1:${stack.web.port}\r\nOrigin: ${stack.web.url}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const second = "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    const statuses = await new Promise<string[]>((resolve) => {
      const socket = net.connect(stack.web.port, "127.0.0.1");
      let data = "";
      let sentSecond = false;
      const timer = setTimeout(() => {
        socket.destroy();
        resolve([...data.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]!).concat("no answer"));
      }, 15_000);
      socket.on("data", (chunk) => {
        data += chunk.toString("latin1");
        if (!sentSecond && /HTTP\/1\.1 \d{3}/.test(data) && data.includes("\r\n\r\n")) {
          sentSecond = true;
          // The first answer's body may still be on its way; the second request follows it on the same connection.
          setTimeout(() => socket.write(second), 200);
        }
      });
      socket.on("error", () => undefined);
      socket.on("close", () => {
        clearTimeout(timer);
        resolve([...data.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]!));
      });
      socket.write(first);
    });
    expect(statuses).toEqual(["400", "200"]);
  });

  it("an X-Forwarded-Host or Host with an impossible port is not a 500", async () => {
    const forwarded = await fetch(`${stack.web.url}/login`, { headers: { "X-Forwarded-Host": "evil.example:99999" } });
    expect(forwarded.status).toBe(200);
    const raw = await rawAnswer(stack.web.port, Buffer.from("GET /login HTTP/1.1\r\nHost: 127.0.0.1:99999\r\nConnection: close\r\n\r\n"));
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("a legacy ?_data request is a 400, not a 500 from Remix's old data path", async () => {
    const admin = await signedInUser(stack.tdb.db, { role: "admin" });
    for (const route of ["routes/admin.privacy", "routes/admin", "root"]) {
      const res = await fetch(`${stack.web.url}/admin/privacy?_data=${encodeURIComponent(route)}`, { headers: { Cookie: admin.cookie }, redirect: "manual" });
      expect(res.status, route).toBe(400);
    }
  });
});

/** The status line the server answers a raw request with ("" when it closes without one). */
function rawAnswer(port: number, head: Buffer): Promise<string> {
  return new Promise<string>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("no answer");
    }, REQUEST_TIMEOUT_MS);
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(data.split("\r\n")[0] ?? "");
    });
    socket.write(head);
  });
}

/**
 * Bytes fetch() will not send: raw invalid UTF-8 in the request line and in header values, and
 * control characters in a cookie. Node's HTTP parser answers some of these itself; none may
 * reach the app as a 5xx or leave the connection hanging.
 */
async function rawRequests(port: number): Promise<{ count: number; failures: string[] }> {
  const heads = [
    Buffer.concat([Buffer.from("GET /campaigns/"), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]),
    Buffer.concat([Buffer.from("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: lang="), Buffer.from([0xe0, 0xa4, 0xff]), Buffer.from("\r\n\r\n")]),
    Buffer.concat([Buffer.from("GET /login?next=/"), Buffer.from([0xe3, 0x80, 0x82]), Buffer.from("/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]),
    Buffer.from("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: lang=\u0001\u0002\u001b; banner_session=\u007f\r\n\r\n", "latin1"),
    Buffer.from("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept-Language: \u00ff\u00e0\u00a4\r\n\r\n", "latin1"),
    Buffer.from("POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\nemail", "latin1"),
    Buffer.from("GET / HTTP/1.1\r\nHost: \u00ff\u00fe\r\nConnection: close\r\n\r\n", "latin1"),
    Buffer.from("GET / HTTP/1.1\r\nHost: 127.0.0.1:99999\r\nConnection: close\r\n\r\n"),
    Buffer.from("GET /login?_data=routes%2Flogin HTTP/1.1\r\nHost: x\r\nX-Forwarded-Host: [::1\r\nConnection: close\r\n\r\n"),
  ];
  const failures: string[] = [];
  for (const [i, head] of heads.entries()) {
    const answer = await rawAnswer(port, head);
    if (!/^HTTP\/1\.1 [1-4]\d\d /.test(answer)) failures.push(`raw request ${i}: ${answer || "connection closed without an answer"}`);
  }
  return { count: heads.length, failures };
}
