import { describe, expect, it } from "vitest";
import { LOCALES } from "~/i18n/i18n";
import { markdownToText } from "~/mail/markdown-text";
import { updateEmail } from "~/mail/templates/update";
import { verificationEmail } from "~/mail/templates/verification";

describe("the plain-text part made from Markdown", () => {
  it("drops the markup and writes links as text (url)", () => {
    expect(markdownToText("## News\n\n**Bold** and _soft_ with [a link](https://x.example/a) and `code`.")).toBe(
      "News\n\nBold and soft with a link (https://x.example/a) and code.",
    );
  });

  it("writes a bare or autolinked URL once, and a mailto link as its address", () => {
    expect(markdownToText("See https://x.example/b or <https://x.example/c>.")).toBe("See https://x.example/b or https://x.example/c.");
    expect(markdownToText("[team@x.example](mailto:team@x.example)")).toBe("team@x.example");
  });

  it("keeps lists on consecutive lines with their markers, and paragraphs apart", () => {
    expect(markdownToText("Intro\n\n- one\n- two\n\n1. first\n2. second\n\nEnd")).toBe("Intro\n\n- one\n- two\n\n1. first\n2. second\n\nEnd");
    expect(markdownToText("> quoted\n\n---\n\nafter")).toBe("> quoted\n\n----\n\nafter");
  });

  it("shows raw HTML as the text it is", () => {
    expect(markdownToText("<b>not bold</b>")).toBe("<b>not bold</b>");
  });
});

const ISOLATE_TOUCHES_URL = /[\u2066-\u2069]https?:|https?:\/\/[^\s"<]*[\u2066-\u2069]/u;

describe("URLs in emails", () => {
  it("stand alone on their line in the verification email, with no full stop or bidi isolate on them, in every language", () => {
    for (const locale of LOCALES) {
      const mail = verificationEmail({ to: "a@x.example", name: "Ayesha", campaignTitle: "OIC", token: "t".repeat(43), appUrl: "https://banner.example", locale });
      const lines = mail.text.split("\n");
      expect(lines, locale).toContain("https://banner.example");
      for (const line of lines.filter((l) => l.includes("http"))) expect(line, `${locale}: ${line}`).toMatch(/^https?:\/\/\S+$/);
      expect(mail.text + mail.html, locale).not.toMatch(ISOLATE_TOUCHES_URL);
    }
  });

  it("stand alone in an update's footer, which names the organisation and why, in every language", () => {
    for (const locale of LOCALES) {
      const mail = updateEmail({
        to: "a@x.example",
        locale,
        subject: "News",
        bodyMd: "Hello.",
        campaignTitle: "OIC",
        organisation: { name: "Kashmir Solidarity", contactEmail: "team@ks.example" },
        unsubscribeUrl: "https://banner.example/unsubscribe/" + "u".repeat(43),
      });
      expect(mail.text.split("\n"), locale).toContain("https://banner.example/unsubscribe/" + "u".repeat(43));
      expect(mail.text, locale).toContain("Kashmir Solidarity");
      expect(mail.text + mail.html, locale).not.toMatch(ISOLATE_TOUCHES_URL);
      expect(mail.html, locale).toMatch(/<br><a dir="ltr" href="https:\/\/banner\.example\/unsubscribe\/u+" style="overflow-wrap:anywhere;word-break:break-all">/);
      expect(mail).toMatchObject({ fromName: "Kashmir Solidarity", replyTo: "team@ks.example" });
    }
  });

  it("come from the platform alone when a campaign has no organisation", () => {
    const mail = updateEmail({ to: "a@x.example", locale: "en", subject: "S", bodyMd: "B", campaignTitle: "OIC", organisation: null, unsubscribeUrl: null });
    expect(mail.fromName).toBeUndefined();
    expect(mail.replyTo).toBeUndefined();
    expect(mail.text).toContain("Banner sends you this email");
  });
});
