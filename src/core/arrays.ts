/**
 * `target.push(...items)` passes every item as a call argument, on the stack: from about 150k
 * items it throws "Maximum call stack size exceeded". A document decides how many environments,
 * declarations or problems there are, so those lists are appended one by one.
 */
export function pushAll<T>(target: T[], items: Iterable<T>): void {
  for (const item of items) target.push(item);
}
