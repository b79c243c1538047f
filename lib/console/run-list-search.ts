/** The /runs query string for a filter set; client-safe (no engine import), used by links and the list's fetcher. */
import type { RunListQuery } from './run-filters';

/** The query string for a list URL, leaving defaults out so links stay short. */
export function runListSearch(query: RunListQuery): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.pipeline) params.set('pipeline', query.pipeline);
  if (query.version) params.set('version', query.version);
  if (query.created) params.set('created', query.created);
  if (query.page > 1) params.set('page', String(query.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}
