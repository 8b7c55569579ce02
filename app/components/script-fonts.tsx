import { scriptFonts } from "~/i18n/fonts";

/**
 * The @font-face rules for Urdu or Arabic text, and a preload of the regular weight when the face
 * is always downloaded (Arabic); nothing otherwise. Urdu's face is tried from the device first,
 * so it is not preloaded: a preload would fetch it even where the device has the font.
 */
export function ScriptFonts({ locale }: { locale: string }) {
  const fonts = scriptFonts(locale);
  if (!fonts) return null;
  return (
    <>
      {fonts.preload ? <link rel="preload" as="font" type="font/woff2" href={fonts.preload} crossOrigin="anonymous" /> : null}
      <style data-fonts={locale} dangerouslySetInnerHTML={{ __html: fonts.css }} />
    </>
  );
}
