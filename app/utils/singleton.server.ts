/**
 * One instance per process, even when a module is loaded twice (the Remix server bundle and the
 * Express entry each load app code; Vite's dev server reloads modules on change).
 */
export function singleton<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as { __bannerSingletons?: Map<string, unknown> };
  store.__bannerSingletons ??= new Map();
  if (!store.__bannerSingletons.has(name)) store.__bannerSingletons.set(name, create());
  return store.__bannerSingletons.get(name) as T;
}
