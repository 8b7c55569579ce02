import { useEffect, useState } from "react";
import type { MessageKey } from "~/i18n/i18n";
import { direction } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { shareTargets, type ShareChannel } from "~/modules/sharing/share-links";

const CHANNEL_LABELS: Record<Exclude<ShareChannel, "link">, MessageKey> = {
  whatsapp: "share.whatsapp",
  telegram: "share.telegram",
  x: "share.x",
  facebook: "share.facebook",
  email: "share.email",
};

/**
 * Plain links to each network's own share page (no third-party script, nothing loads until a
 * click), and the link itself in a read-only field; with JavaScript, a button copies it (React's
 * handlers where the page is hydrated; else the page script, app/enhance/, by the data attributes).
 */
export function ShareLinks({ campaignUrl, title, referralCode, intro }: { campaignUrl: string; title: string; referralCode?: string | null; intro?: string }) {
  const { t, locale } = useTranslation();
  const [canCopy, setCanCopy] = useState(false);
  const [copied, setCopied] = useState(false);
  useEffect(() => setCanCopy(typeof navigator !== "undefined" && Boolean(navigator.clipboard)), []);
  const targets = shareTargets({
    campaignUrl,
    referralCode,
    sentence: t("share.sentence", { title }),
    subject: t("share.subject", { title }),
    dir: direction(locale),
  });
  const link = targets.find((s) => s.channel === "link")!.href;
  return (
    <section className="share" aria-labelledby="share-heading" data-testid="share">
      <h2 id="share-heading">{t("share.heading")}</h2>
      {intro ? <p>{intro}</p> : null}
      <ul className="share-links">
        {targets
          .filter((s) => s.channel !== "link")
          .map((s) => (
            <li key={s.channel}>
              <a className="button secondary" href={s.href} data-channel={s.channel} {...(s.channel === "email" ? {} : { target: "_blank", rel: "noopener noreferrer" })}>
                {t(CHANNEL_LABELS[s.channel as Exclude<ShareChannel, "link">])}
              </a>
            </li>
          ))}
      </ul>
      <div className="field">
        <label htmlFor="share-link">{t("share.copyLabel")}</label>
        <div className="share-copy">
          <input id="share-link" type="text" readOnly value={link} dir="ltr" data-select-on-focus onFocus={(e) => e.currentTarget.select()} />
          {/* Hidden until a script knows the browser can copy. */}
          <button
            type="button"
            className="button secondary"
            hidden={!canCopy}
            data-copy="share-link"
            onClick={async () => {
              await navigator.clipboard.writeText(link).then(() => setCopied(true), () => setCopied(false));
            }}
          >
            {t("share.copy")}
          </button>
        </div>
        <span role="status" className="muted small" data-copied={t("share.copied")}>
          {copied ? t("share.copied") : ""}
        </span>
      </div>
    </section>
  );
}
