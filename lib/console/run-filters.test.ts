/** The /runs filters: what the page keeps, drops and explains, and the engine filter and link they become. */
import { describe, expect, it } from 'vitest';
import { parseRunListQuery, pipelineCatalog, runListQuerySchema, toListTasksFilters } from './run-filters';
import { runListSearch } from './run-list-search';
import { decodeRunCursor, encodeRunCursor } from './run-cursor';

const CURSOR = { createdAt: '2026-12-07T11:08:01.123456Z', id: '0193ab12-3456-7abc-8def-0123456789ab' };

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
    const after = encodeRunCursor(CURSOR);
    const { query, problems } = parseRunListQuery({ pipeline: 'analytics.customer_analytics', version: '9', after }, catalog);
    expect(problems).toEqual([]);
    expect(query).toEqual({ pipeline: 'analytics.customer_analytics', version: '9', after });
    expect(toListTasksFilters(query)).toMatchObject({ namespace: 'analytics', name: 'customer_analytics', version: '9', after: CURSOR, limit: 20 });
    expect(runListSearch(query)).toBe(`?pipeline=analytics.customer_analytics&version=9&after=${after}`);
  });

  it('drops a version the pipeline does not serve, saying which versions it has, and keeps the rest', () => {
    const { query, problems } = parseRunListQuery({ pipeline: 'analytics.customer_analytics', version: '3', status: 'failed' }, catalog);
    expect(query).toEqual({ pipeline: 'analytics.customer_analytics', status: 'failed' });
    expect(problems).toEqual(['analytics.customer_analytics has no version 3 registered (versions: 10, 9, 2)']);
  });

  it('drops an unknown pipeline with its version, naming the registered ones', () => {
    const { query, problems } = parseRunListQuery({ pipeline: 'analytics.nope', version: '2' }, catalog);
    expect(query).toEqual({});
    expect(problems).toEqual(['no pipeline analytics.nope is registered (registered: analytics.customer_analytics, media.thumbnails)']);
  });

  it('refuses a version without a pipeline, and malformed values, one message each', () => {
    expect(parseRunListQuery({ version: '2' }, catalog)).toEqual({ query: {}, problems: ['version needs a pipeline: choose the pipeline too'] });
    const { query, problems } = parseRunListQuery({ pipeline: 'Not A Pipeline', version: 'v 2; drop', created: '7d' }, catalog);
    expect(query).toEqual({ created: '7d' });
    expect(problems).toEqual(['pipeline must look like namespace.name', 'version must be a version name such as 2 or 1.4.0']);
  });

  it('treats blank fields (an untouched form) as missing', () => {
    expect(
      parseRunListQuery({ status: '', pipeline: '', version: '', created: '', created_from: '', created_to: '', id: '', error: '', after: '', before: '' }, catalog),
    ).toEqual({ query: {}, problems: [] });
  });
});

describe('search filters', () => {
  it('reads a run id or its first digits, ignoring dashes, case and spaces', () => {
    expect(parseRunListQuery({ id: ' 0193AB12-3456 ' }, catalog)).toEqual({ query: { id: '0193ab123456' }, problems: [] });
    expect(toListTasksFilters({ id: '0193ab123456' })).toMatchObject({ idPrefix: '0193ab123456' });
    expect(parseRunListQuery({ id: 'run-42' }, catalog).problems).toEqual(['run id must be a run id or its first characters, such as 0193ab12']);
  });

  it('turns created_from / created_to (UTC days) into [first midnight, midnight after the last day), with created', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    expect(toListTasksFilters({ created_from: '2026-12-01', created_to: '2026-12-01' }, now)).toMatchObject({
      createdFrom: new Date('2026-12-01T00:00:00Z'),
      createdBefore: new Date('2026-12-02T00:00:00Z'),
    });
    // Both a window and a day: the later lower bound wins.
    expect(toListTasksFilters({ created: '24h', created_from: '2026-11-01' }, now).createdFrom).toEqual(new Date('2026-12-06T12:00:00Z'));
    expect(parseRunListQuery({ created_from: '2026-02-30' }, catalog).problems).toEqual(['created_from must be a date such as 2026-12-07']);
    expect(parseRunListQuery({ created_from: '2026-12-02', created_to: '2026-12-01' }, catalog)).toEqual({
      query: { created_from: '2026-12-02' },
      problems: ['created_to must be on or after created_from'],
    });
  });

  it('takes an error class as the run page names it', () => {
    expect(parseRunListQuery({ error: 'TimeoutError' }, catalog)).toEqual({ query: { error: 'TimeoutError' }, problems: [] });
    expect(toListTasksFilters({ error: 'TimeoutError' })).toMatchObject({ errorClass: 'TimeoutError' });
    expect(parseRunListQuery({ error: 'not a class!' }, catalog).problems).toEqual(['error must be an error class such as TimeoutError']);
  });
});

describe('page cursors', () => {
  it('round-trip a position to the microsecond, as URL-safe text', () => {
    const text = encodeRunCursor(CURSOR);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeRunCursor(text)).toEqual(CURSOR);
  });

  it('refuse what the list did not make, and the page says so and shows the newest runs', () => {
    const forged = [
      'not a cursor!',
      Buffer.from('2026-12-07T11:08:01Z_0193ab12-3456-7abc-8def-0123456789ab').toString('base64url'),
      Buffer.from(`${CURSOR.createdAt}_not-a-uuid`).toString('base64url'),
      Buffer.from(`${CURSOR.createdAt}_${CURSOR.id}_extra`).toString('base64url'),
      Buffer.from(`2026-13-45T11:08:01.123456Z_${CURSOR.id}`).toString('base64url'),
      encodeRunCursor(CURSOR).slice(0, 20),
      'x'.repeat(500),
    ];
    for (const text of forged) {
      expect(decodeRunCursor(text), text).toBeNull();
      const { query, problems } = parseRunListQuery({ status: 'failed', after: text }, catalog);
      expect(query).toEqual({ status: 'failed' });
      expect(problems).toEqual(['after is not a page link of this list (it may have been cut short): start again from the newest runs']);
    }
    expect(parseRunListQuery({ after: encodeRunCursor(CURSOR), before: encodeRunCursor(CURSOR) }, catalog).problems).toEqual(['a page link has after or before, not both']);
  });
});

describe('runListQuerySchema (the JSON twin, /api/live/runs)', () => {
  it('accepts a version with its pipeline and refuses one alone', () => {
    expect(runListQuerySchema.safeParse({ pipeline: 'media.thumbnails', version: '1.0.0' }).success).toBe(true);
    expect(runListQuerySchema.safeParse({ version: '1.0.0' }).success).toBe(false);
  });
});
