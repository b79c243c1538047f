/** The demo CRM's data: a keyset-paginated list of users from demo.crm_users. */
import { asc, gt } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { crmUsers } from '@/db/schema';
import { toPage, type PageRequest } from './pagination';

export interface CrmUser {
  user_id: number;
  email: string;
  name: string;
  country: string;
  created_at: string;
}

export interface CrmUsersPage {
  users: CrmUser[];
  next_cursor: string | null;
}

export async function listCrmUsers(db: Database, page: PageRequest): Promise<CrmUsersPage> {
  const rows = await db
    .select()
    .from(crmUsers)
    .where(page.afterId === undefined ? undefined : gt(crmUsers.userId, page.afterId))
    .orderBy(asc(crmUsers.userId))
    .limit(page.limit + 1);
  const { rows: users, nextCursor } = toPage(rows, page.limit, (row) => row.userId);
  return {
    users: users.map((row) => ({
      user_id: row.userId,
      email: row.email,
      name: row.name,
      country: row.country,
      created_at: row.createdAt.toISOString(),
    })),
    next_cursor: nextCursor,
  };
}
