/** The /runs filters: what the page keeps, drops and explains, and the engine filter and link they become. */
import { describe, expect, it } from 'vitest';
import { parseRunListQuery, pipelineCatalog, runListQuerySchema, toListTasksFilters } from './run-filters';
import { runListSearch } from './run-list-search';

const catalog = pipelineCatalog([
  { namespace: 'analytics', name: 'customer_analytics', version: '2' },
  { namespace: 'analytics', name: 'customer_analytics', version: '10' },
  { namespace: 'analytics', name: 'customer_analytics', version: '9' },
  { namespace: 'media', name: 'thumbnails', version: '1.0.0' },
]);

describe('pipelineCatalog', () => {
  it('lists each pipeline once with its versions newest first (numeric-aware)', () => {
    expect(catalog).toEqual([
      { pipeline: 'analytics.customer_analytics', versions: ['10', '9', '2'] },
      { pipeline: 'media.thumbnails', versions: ['1.0.0'] },
    ]);
  });
});

describe('parseRunListQuery', () => {
  it('keeps a served pipeline and version, and they reach the engine filter and the link', () => {
    const { query, problems } = parseRunListQuery({ pipeline: 'analytics.customer_analytics', version: '9', page: '2' }, catalog);
    expect(problems).toEqual([]);
    expect(query).toEqual({ pipeline: 'analytics.customer_analytics', version: '9', page: 2 });
    expect(toListTasksFilters(query)).toMatchObject({ namespace: 'analytics', name: 'customer_analytics', version: '9', offset: 20 });
    expect(runListSearch(query)).toBe('?pipeline=analytics.customer_analytics&version=9&page=2');
  });

  it('drops a version the pipeline does not serve, saying which versions it has, and keeps the rest', () => {
    const { query, problems } = parseRunListQuery({ pipeline: 'analytics.customer_analytics', version: '3', status: 'failed' }, catalog);
    expect(query).toEqual({ pipeline: 'analytics.customer_analytics', status: 'failed', page: 1 });
    expect(problems).toEqual(['analytics.customer_analytics has no version 3 registered (versions: 10, 9, 2)']);
  });

  it('drops an unknown pipeline with its version, naming the registered ones', () => {
    const { query, problems } = parseRunListQuery({ pipeline: 'analytics.nope', version: '2' }, catalog);
    expect(query).toEqual({ page: 1 });
    expect(problems).toEqual(['no pipeline analytics.nope is registered (registered: analytics.customer_analytics, media.thumbnails)']);
  });

  it('refuses a version without a pipeline, and malformed values, one message each', () => {
    expect(parseRunListQuery({ version: '2' }, catalog)).toEqual({ query: { page: 1 }, problems: ['version needs a pipeline: choose the pipeline too'] });
    const { query, problems } = parseRunListQuery({ pipeline: 'Not A Pipeline', version: 'v 2; drop', created: '7d' }, catalog);
    expect(query).toEqual({ created: '7d', page: 1 });
    expect(problems).toEqual(['pipeline must look like namespace.name', 'version must be a version name such as 2 or 1.4.0']);
  });

  it('treats blank fields (an untouched form) as missing', () => {
    expect(parseRunListQuery({ status: '', pipeline: '', version: '', created: '', page: '' }, catalog)).toEqual({ query: { page: 1 }, problems: [] });
  });
});

describe('runListQuerySchema (the JSON twin, /api/live/runs)', () => {
  it('accepts a version with its pipeline and refuses one alone', () => {
    expect(runListQuerySchema.safeParse({ pipeline: 'media.thumbnails', version: '1.0.0' }).success).toBe(true);
    expect(runListQuerySchema.safeParse({ version: '1.0.0' }).success).toBe(false);
  });
});
