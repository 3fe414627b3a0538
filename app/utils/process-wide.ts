/**
 * One value per process, whichever copy of a module asks: the server script (run by tsx) and the Remix build each
 * load their own copy of the app's modules, yet both must count into one metrics registry, see one request context,
 * one image-host list, one setup code and one suggester per database.
 */
export function processWide<T>(name: string, create: () => T): T {
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  const key = Symbol.for(`faultline.${name}`);
  return (holder[key] ??= create());
}
