import { scriptFonts } from "~/i18n/fonts";

/** The @font-face rules (and a preload of the regular weight) for Urdu or Arabic text; nothing otherwise. */
export function ScriptFonts({ locale }: { locale: string }) {
  const fonts = scriptFonts(locale);
  if (!fonts) return null;
  return (
    <>
      <link rel="preload" as="font" type="font/woff2" href={fonts.preload} crossOrigin="anonymous" />
      <style data-fonts={locale} dangerouslySetInnerHTML={{ __html: fonts.css }} />
    </>
  );
}
