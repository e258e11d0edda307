/**
 * @module dashboard/public/instances-query
 * What the instances page asks the list route for: its page size, the
 * empty filter, and a filter's query string. Pure, tested in Node: the
 * shell preloads the first page by the same URL (pages.ts, FIRST_DATA), so
 * the two must agree to the byte.
 *
 * Entities' instances (`@name@key`) are left out (`excludeEntities`, a
 * Perdure extension of the list route): they have their own page. An ID
 * prefix that starts with `@` asks for them, so they are still one filter away.
 */

export const PAGE_SIZE = 50;

export const NO_FILTER = Object.freeze({ statuses: [], name: '', prefix: '', from: '', to: '' });

/** The query string of a list filter: status, name, ID prefix, created-time range (ISO). */
export function listQuery(filter, pageSize) {
  const params = new URLSearchParams({ top: String(pageSize), showInput: 'false' });
  if (!filter.prefix?.startsWith('@')) params.set('excludeEntities', 'true');
  if (filter.statuses?.length) params.set('runtimeStatus', filter.statuses.join(','));
  if (filter.name) params.set('name', filter.name);
  if (filter.prefix) params.set('instanceIdPrefix', filter.prefix);
  if (filter.from) params.set('createdTimeFrom', filter.from);
  if (filter.to) params.set('createdTimeTo', filter.to);
  return params.toString();
}
