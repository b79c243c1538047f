/** The demo CRM's data: a keyset-paginated list of users from demo.crm_users. */
import { sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { jsonPage, type PageRequest } from './pagination';

/** `{"users": [{user_id, email, name, country, created_at}], "next_cursor"}` as the response body; created_at in ISO 8601 UTC with milliseconds. */
export function crmUsersPage(db: Database, page: PageRequest): Promise<string> {
  return jsonPage(
    db,
    {
      table: sql`demo.crm_users`,
      id: sql`user_id`,
      item: sql`json_build_object('user_id', user_id, 'email', email, 'name', name, 'country', country,
                'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,
      itemsKey: 'users',
    },
    page,
  );
}
