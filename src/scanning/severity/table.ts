/** A lookup table from an object literal, as a Map so that keys like `constructor` are not found. */
export function table<T>(entries: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}
