/**
 * The demo CRM's data: keyset pages of demo.crm_users, each user `{user_id, email, name, country, created_at}` with
 * created_at in ISO 8601 UTC with milliseconds. Served by lib/demo/pagination.ts's jsonPage.
 */
import { sql } from 'drizzle-orm';
import type { JsonPageSource } from './pagination';

export const CRM_USERS: JsonPageSource = {
  table: sql`demo.crm_users`,
  id: sql`user_id`,
  item: sql`json_build_object('user_id', user_id, 'email', email, 'name', name, 'country', country,
            'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,
  itemsKey: 'users',
};
