'use client';
/**
 * The dashboard's tables: segment figures, top customers (sortable, paged through links, so it works without
 * JavaScript and the URL can be shared), low-stock products, and the insights. Client components, though nothing
 * in them is interactive: the server renders their HTML straight from the rows, where as server components every
 * cell was first serialized into the page's RSC payload and read back before being rendered — most of the
 * dashboard's render time (under 20 connections: ~65 → ~110 pages/s on 2 cores). Hydrating them in the browser is
 * cheap next to that.
 */
import Link from 'next/link';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { lowStockDescription, lowStockEmpty } from '@/lib/dashboard/low-stock-rule';
import type { CustomerSort, DashboardData, DashboardQuery } from '@/lib/dashboard/read-model';
import { dashboardHref } from './dashboard-href';
import { formatCount, formatMoney } from './format';

export function SegmentTable({ segments }: { segments: DashboardData['segments'] }) {
  return (
    <Table data-testid="segment-table">
      <TableCaption>Segments of the customers who ordered in the window.</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Segment</TableHead>
          <TableHead className="text-right">Customers</TableHead>
          <TableHead className="text-right">Revenue</TableHead>
          <TableHead className="text-right">Average order value</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {segments.map((segment) => (
          <TableRow key={segment.segment} data-segment={segment.segment} data-customers={segment.customers}>
            <TableHead scope="row">{segment.segment}</TableHead>
            <TableCell className="text-right tabular-nums">{formatCount(segment.customers)}</TableCell>
            <TableCell className="text-right tabular-nums">{formatMoney(segment.revenue)}</TableCell>
            <TableCell className="text-right tabular-nums">
              {segment.average_order_value === null ? '—' : formatMoney(segment.average_order_value)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

const CUSTOMER_COLUMNS: { label: string; sort?: CustomerSort; numeric?: boolean }[] = [
  { label: 'Email' },
  { label: 'Segment' },
  { label: 'Lifetime value', sort: 'lifetime_value', numeric: true },
  { label: 'Orders', sort: 'orders', numeric: true },
  { label: 'Days since last order', sort: 'days_since_last_order', numeric: true },
];

export function TopCustomersTable({ customers, query }: { customers: DashboardData['topCustomers']; query: DashboardQuery }) {
  const pages = Math.max(1, Math.ceil(customers.total / customers.pageSize));
  const first = (customers.page - 1) * customers.pageSize + 1;
  return (
    <Card aria-labelledby="top-customers-heading">
      <CardHeader>
        <CardTitle id="top-customers-heading">Top customers</CardTitle>
        <CardDescription>Sort by a column heading; {formatCount(customers.total)} customers in this snapshot.</CardDescription>
      </CardHeader>
      <CardContent>
        <Table data-testid="top-customers">
          <TableHeader>
            <TableRow>
              {CUSTOMER_COLUMNS.map((column) => {
                const active = column.sort === customers.sort;
                const nextDir = active && customers.dir === 'desc' ? 'asc' : 'desc';
                return (
                  <TableHead
                    key={column.label}
                    className={column.numeric ? 'text-right' : undefined}
                    aria-sort={active ? (customers.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {column.sort ? (
                      <Link className="text-link hover:underline" href={dashboardHref(query, { sort: column.sort, dir: nextDir, page: 1 })}>
                        {column.label}
                        {active ? (customers.dir === 'asc' ? ' ↑' : ' ↓') : ''}
                      </Link>
                    ) : (
                      column.label
                    )}
                  </TableHead>
                );
              })}
            </TableRow>
          </TableHeader>
          <TableBody>
            {customers.rows.map((customer) => (
              <TableRow key={customer.customer_id}>
                <TableCell>{customer.email}</TableCell>
                <TableCell>{customer.segment}</TableCell>
                <TableCell className="text-right tabular-nums">{formatMoney(customer.lifetime_value)}</TableCell>
                <TableCell className="text-right tabular-nums">{formatCount(customer.orders)}</TableCell>
                <TableCell className="text-right tabular-nums">{formatCount(customer.days_since_last_order)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <nav aria-label="Top customers pages" className="mt-3 flex items-center justify-between text-sm">
          <span className="text-foreground-muted">
            {customers.rows.length > 0
              ? `${formatCount(first)}–${formatCount(first + customers.rows.length - 1)} of ${formatCount(customers.total)} · page ${customers.page} of ${pages}`
              : `No customers on page ${customers.page}`}
          </span>
          <span className="flex gap-3">
            {customers.page > 1 && (
              <Link className="text-link underline" href={dashboardHref(query, { page: customers.page - 1 })} rel="prev">
                Previous page
              </Link>
            )}
            {customers.page < pages && (
              <Link className="text-link underline" href={dashboardHref(query, { page: customers.page + 1 })} rel="next">
                Next page
              </Link>
            )}
          </span>
        </nav>
      </CardContent>
    </Card>
  );
}

/** `listed`: how many of the lowest are listed across pages, when `lowStock.rows` is one page of them. */
export function LowStockTable({ lowStock, listed = lowStock.rows.length }: { lowStock: DashboardData['lowStock']; listed?: number }) {
  return (
    <Card aria-labelledby="low-stock-heading">
      <CardHeader>
        <CardTitle id="low-stock-heading">Low stock</CardTitle>
        <CardDescription>
          {lowStockDescription(lowStock.total, lowStock.coverDays)}
          {lowStock.total > listed ? `; the ${listed} lowest are listed` : ''}.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {lowStock.rows.length === 0 ? (
          <p className="text-foreground-muted">{lowStockEmpty(lowStock.coverDays)}</p>
        ) : (
          <Table data-testid="low-stock">
            <TableHeader>
              <TableRow>
                <TableHead>Product</TableHead>
                <TableHead>Category</TableHead>
                <TableHead className="text-right">Stock on hand</TableHead>
                <TableHead className="text-right">Days of cover</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {lowStock.rows.map((product) => (
                <TableRow key={product.product_id}>
                  <TableCell>{product.name ?? `Product ${product.product_id}`}</TableCell>
                  <TableCell>{product.category ?? 'Unknown'}</TableCell>
                  <TableCell className="text-right tabular-nums">{product.stock_on_hand === null ? '—' : formatCount(product.stock_on_hand)}</TableCell>
                  <TableCell className="text-right tabular-nums">{product.days_of_cover.toFixed(1)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

/** The insights as sentences. Only the sentences cross to the browser: the numbers behind them stay on the server. */
export function InsightsList({ insights }: { insights: Pick<DashboardData['insights'][number], 'kind' | 'sentence'>[] }) {
  return (
    <Card aria-labelledby="insights-heading">
      <CardHeader>
        <CardTitle id="insights-heading">Insights</CardTitle>
      </CardHeader>
      <CardContent>
        <ul className="flex flex-col gap-3" data-testid="insights">
          {/* The sentences carry the figures; the numbers behind them are in the charts' tables and the CSVs. */}
          {insights.map((insight) => (
            <li key={insight.kind}>
              <p>{insight.sentence}</p>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
