/** The campaign's picture: the browser picks the width it needs from srcset and sizes. */
export function HeroPicture({ hero, sizes }: { hero: { src: string; srcSet: string; width: number; height: number; alt: string }; sizes: string }) {
  return (
    <figure className="hero">
      <img src={hero.src} srcSet={hero.srcSet} sizes={sizes} width={hero.width} height={hero.height} alt={hero.alt} decoding="async" />
    </figure>
  );
}
