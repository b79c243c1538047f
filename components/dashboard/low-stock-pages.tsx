/**
 * The low-stock table a page at a time. The snapshot's low-stock list (up to 50 products, read once per snapshot)
 * is sliced here on the server, so the page carries ten rows instead of fifty — every row is markup the server
 * renders and the browser hydrates on each visit. Pages are plain links (`stock_page`), like the customer table's.
 */
import Link from 'next/link';
import { z } from 'zod';
import type { DashboardData, DashboardQuery } from '@/lib/dashboard/read-model';
import { formatCount } from './format';
import { dashboardHref } from './dashboard-href';
import { LowStockTable } from './tables';

export const LOW_STOCK_PAGE_SIZE = 10;

/** `stock_page` is this component's own parameter: the dashboard's query schema (and its cache key) leave it out. */
export const STOCK_PAGE_PARAM = 'stock_page';
export const stockPageSchema = z.coerce.number().int().min(1).max(1_000).catch(1);

function stockHref(query: DashboardQuery, page: number): string {
  const base = dashboardHref(query, {});
  if (page === 1) return base;
  return `${base}${base.includes('?') ? '&' : '?'}${STOCK_PAGE_PARAM}=${page}`;
}

export function LowStockPages({ lowStock, query, page }: { lowStock: DashboardData['lowStock']; query: DashboardQuery; page: number }) {
  const pages = Math.max(1, Math.ceil(lowStock.rows.length / LOW_STOCK_PAGE_SIZE));
  const current = Math.min(page, pages);
  const first = (current - 1) * LOW_STOCK_PAGE_SIZE;
  const rows = lowStock.rows.slice(first, first + LOW_STOCK_PAGE_SIZE);
  return (
    <div className="flex flex-col gap-2">
      <LowStockTable lowStock={{ rows, total: lowStock.total, coverDays: lowStock.coverDays }} listed={lowStock.rows.length} />
      {pages > 1 && (
        <nav aria-label="Low stock pages" className="flex items-center justify-between px-1 text-sm">
          <span className="text-foreground-muted">
            {formatCount(first + 1)}–{formatCount(first + rows.length)} of the {formatCount(lowStock.rows.length)} lowest · page {current} of {pages}
          </span>
          <span className="flex gap-3">
            {current > 1 && (
              <Link className="text-link underline" href={stockHref(query, current - 1)} rel="prev" scroll={false}>
                Previous page
              </Link>
            )}
            {current < pages && (
              <Link className="text-link underline" href={stockHref(query, current + 1)} rel="next" scroll={false}>
                Next page
              </Link>
            )}
          </span>
        </nav>
      )}
    </div>
  );
}
