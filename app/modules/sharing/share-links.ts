/**
 * Share links: pure functions, used by the pages (server and browser alike). Each link points at
 * the campaign with `?via=<channel>` and, when the sharer is a known signer, `&ref=<their code>`;
 * the campaign page hands both to the sign form, and signCampaign records them.
 */

export const SHARE_CHANNELS = ["whatsapp", "telegram", "x", "facebook", "email", "link"] as const;
export type ShareChannel = (typeof SHARE_CHANNELS)[number];

/** The campaign URL a share on `channel` carries ("qr" for the printable code). */
export function campaignShareUrl(campaignUrl: string, channel: ShareChannel | "qr", referralCode?: string | null): string {
  const url = new URL(campaignUrl);
  url.search = "";
  if (referralCode) url.searchParams.set("ref", referralCode);
  url.searchParams.set("via", channel);
  return url.toString();
}

// Right-to-left mark: a message starting with it is laid out right-to-left by every messenger,
// even when its first word is a Latin title.
const RLM = "\u200F";

/**
 * The text of a message: the sentence, then the link on its own line. A URL alone on a line is
 * its own paragraph, so in a right-to-left message it neither reorders the words around it nor
 * gets invisible direction marks glued to it (which break link detection in some apps).
 */
export function shareMessage(sentence: string, url: string, dir: "ltr" | "rtl"): string {
  return `${dir === "rtl" ? RLM : ""}${sentence}\n${url}`;
}

export interface ShareTarget {
  channel: ShareChannel;
  /** where the link or button goes; for "link", the URL to copy */
  href: string;
}

/** The five sharing links and the copy-link URL, for one campaign and (optionally) one signer. */
export function shareTargets(opts: {
  campaignUrl: string;
  referralCode?: string | null;
  /** the message sentence in the page's language, without the URL */
  sentence: string;
  /** the email subject */
  subject: string;
  dir: "ltr" | "rtl";
}): ShareTarget[] {
  const enc = encodeURIComponent;
  const urlFor = (channel: ShareChannel) => campaignShareUrl(opts.campaignUrl, channel, opts.referralCode);
  const message = (channel: ShareChannel) => shareMessage(opts.sentence, urlFor(channel), opts.dir);
  return SHARE_CHANNELS.map((channel): ShareTarget => {
    switch (channel) {
      case "whatsapp":
        return { channel, href: `https://wa.me/?text=${enc(message(channel))}` };
      case "telegram":
        // Telegram puts the URL above the text by itself: pass the sentence alone.
        return { channel, href: `https://t.me/share/url?url=${enc(urlFor(channel))}&text=${enc(shareMessage(opts.sentence, "", opts.dir).trimEnd())}` };
      case "x":
        return { channel, href: `https://x.com/intent/post?text=${enc(shareMessage(opts.sentence, "", opts.dir).trimEnd())}&url=${enc(urlFor(channel))}` };
      case "facebook":
        return { channel, href: `https://www.facebook.com/sharer/sharer.php?u=${enc(urlFor(channel))}` };
      case "email":
        return { channel, href: `mailto:?subject=${enc(opts.subject)}&body=${enc(message(channel))}` };
      case "link":
        return { channel, href: urlFor(channel) };
    }
  });
}
