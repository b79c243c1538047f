/**
 * Where the orders (schema `shop`) are read from: the app's own database, or SOURCE_DATABASE_URL when that names
 * another one — then a small pool of its own. Every pipeline reading orders opens them here.
 */
import type pg from 'pg';
import { createPool, type DbHandle } from '@/db/client';
import type { Env } from '@/lib/env';

export type OrdersDatabaseSettings = Pick<Env, 'DATABASE_URL' | 'SOURCE_DATABASE_URL'>;

export function openOrdersDatabase(app: DbHandle, settings: OrdersDatabaseSettings): { pool: pg.Pool; inAppDatabase: boolean } {
  const sourceUrl = settings.SOURCE_DATABASE_URL;
  const separate = sourceUrl !== undefined && sourceUrl !== settings.DATABASE_URL;
  const orders = separate ? createPool(sourceUrl, { max: 4, applicationName: 'nightshift-orders-source' }) : app;
  return { pool: orders.pool, inAppDatabase: !separate };
}
