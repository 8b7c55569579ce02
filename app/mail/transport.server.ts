import nodemailer, { type Transporter } from "nodemailer";
import type { Database } from "~/db/db.server";
import { messageIdFor } from "./message-id";
import type { EmailMessage } from "./render";

export interface Mailer {
  send(message: EmailMessage): Promise<{ messageId: string }>;
  close(): void;
}

/** A send that failed. `permanent` failures (5xx replies, rejected addresses) are never retried. */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    public readonly permanent: boolean,
    public readonly responseCode?: number,
  ) {
    super(message);
    this.name = "MailDeliveryError";
  }
}

/** SMTP 5xx replies are permanent; 4xx and connection trouble are temporary. */
export function classifyMailError(error: unknown): MailDeliveryError {
  const e = error as { message?: string; responseCode?: number; code?: string };
  const code = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const permanent = code !== undefined && code >= 500 && code < 600;
  const message = `${e.code ?? "ERROR"}${code ? ` ${code}` : ""}: ${String(e.message ?? error).slice(0, 500)}`;
  return new MailDeliveryError(message, permanent, code);
}

/**
 * The message for nodemailer. A `fromName` replaces only the display name of MAIL_FROM: the
 * address stays the platform's, whose domain the mail is authenticated for (SPF, DKIM).
 */
function envelope(from: string, { fromName, ...message }: EmailMessage) {
  if (!fromName) return { from, ...message };
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
  return { ...message, from: { name: fromName, address } };
}

/**
 * SMTP when SMTP_URL is set (pooled connections); otherwise the dev outbox, a table shown at
 * /dev/outbox, so a fresh clone works without a mail server and every process sees the same mail.
 */
export function createMailer({ smtpUrl, from, db }: { smtpUrl?: string; from: string; db: Database }): Mailer {
  if (smtpUrl) {
    // The options go in the same object as the url: a second argument to createTransport is
    // message defaults, not transport options, and would leave every message on a new connection.
    const transport: Transporter = nodemailer.createTransport({
      url: smtpUrl,
      pool: true,
      maxConnections: 5,
      maxMessages: 500,
    } as object);
    return {
      async send({ sentLogKey, ...message }) {
        try {
          const info = await transport.sendMail({ ...envelope(from, message), ...(sentLogKey ? { messageId: messageIdFor(sentLogKey, from) } : {}) });
          return { messageId: String(info.messageId) };
        } catch (error) {
          throw classifyMailError(error);
        }
      },
      close: () => transport.close(),
    };
  }

  const transport = nodemailer.createTransport({ jsonTransport: true });
  return {
    async send({ sentLogKey, ...message }) {
      const info = await transport.sendMail({ ...envelope(from, message), ...(sentLogKey ? { messageId: messageIdFor(sentLogKey, from) } : {}) });
      await db
        .insertInto("dev_outbox_messages")
        .values({
          to_address: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
          headers: JSON.stringify(message.headers ?? {}),
        })
        .execute();
      return { messageId: String(info.messageId) };
    },
    close: () => transport.close(),
  };
}
