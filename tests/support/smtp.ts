import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail["headers"];
  /** A header exactly as sent (unfolded), or undefined. */
  rawHeader(name: string): string | undefined;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  messages: CapturedMail[];
  /** Makes the server answer every RCPT (or only those to `onlyTo`) with this reply (e.g. 451 temporary, 550 permanent) until cleared. */
  rejectWith(code: number | null, onlyTo?: string): void;
  /** Delays accepting each message's data by this long; `onData` is called when data starts. */
  slowDown(ms: number, onData?: () => void): void;
  /**
   * Accepts `count` more messages, then holds every later one unanswered (the client waits, as on
   * a stalled server) until called with null, when the held ones are accepted.
   */
  holdAfter(count: number | null): void;
  waitFor(predicate: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  close(): Promise<void>;
}

/** A real SMTP server on a free local port, keeping every message it accepts. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: CapturedMail[] = [];
  let rejectCode: number | null = null;
  let rejectOnlyTo: string | undefined;
  let delayMs = 0;
  let onDataStart: (() => void) | undefined;
  let passesLeft: number | null = null;
  let release = () => {};
  let released = Promise.resolve();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (rejectCode && (!rejectOnlyTo || address.address.toLowerCase() === rejectOnlyTo.toLowerCase())) {
        const error = Object.assign(new Error(rejectCode >= 500 ? "mailbox unavailable" : "try again later"), { responseCode: rejectCode });
        return callback(error);
      }
      callback();
    },
    onData(stream, _session, callback) {
      onDataStart?.();
      const delay = delayMs;
      simpleParser(stream)
        .then(async (mail) => {
          if (delay) await new Promise((r) => setTimeout(r, delay));
          if (passesLeft !== null && passesLeft-- <= 0) await released;
          return mail;
        })
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(", ") : (mail.to?.text ?? "");
          const lines = mail.headerLines;
          messages.push({
            to,
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            headers: mail.headers,
            rawHeader: (name) => {
              const line = lines.find((l) => l.key === name.toLowerCase())?.line;
              return line?.slice(line.indexOf(":") + 1).replace(/\r?\n\s+/g, " ").trim();
            },
          });
          callback();
        })
        .catch(callback);
    },
  });
  // A client killed mid-session (worker kill tests) resets its socket: not the server's failure.
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    rejectWith(code, onlyTo) {
      rejectCode = code;
      rejectOnlyTo = onlyTo;
    },
    slowDown(ms, onData) {
      delayMs = ms;
      onDataStart = onData;
    },
    holdAfter(count) {
      if (count === null) {
        passesLeft = null;
        release();
        return;
      }
      passesLeft = count;
      released = new Promise((resolve) => (release = resolve));
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = messages.find(predicate);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no matching email within ${timeoutMs} ms (got ${messages.length}: ${messages.map((m) => `${m.to} / ${m.subject}`).join("; ")})`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function verificationLink(mail: CapturedMail): string {
  const match = mail.text.match(/https?:\/\/\S+\/verify\/[A-Za-z0-9_-]{43}(?=\s)/);
  if (!match) throw new Error(`no verification link in:\n${mail.text}`);
  return match[0];
}

export function tokenOf(link: string): string {
  return link.split("/verify/")[1]!.replace(/\?.*$/, "");
}
