/** The /runs query string for a filter set; client-safe (no engine import), used by links and the list's fetcher. */
import type { RunListQuery } from './run-filters';

/** The query string for a list URL, leaving defaults out so links stay short. */
export function runListSearch(query: RunListQuery): string {
  const params = new URLSearchParams();
  const keys = ['status', 'pipeline', 'version', 'created', 'created_from', 'created_to', 'id', 'error', 'after', 'before'] as const;
  for (const key of keys) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
