/** Client of a CRM with the demo CRM's contract: GET {CRM_URL}/users?cursor=&limit=. */
import { z } from 'zod';
import { env, selfUrl } from '@/lib/env';
import { createPagedSource, nextCursorSchema, type PagedSource, type PagedSourceOptions } from './paged-source';

export const crmUserSchema = z.object({
  user_id: z.number().int(),
  email: z.string(),
  name: z.string(),
  country: z.string(),
  created_at: z.string(),
});
export type CrmUserRecord = z.infer<typeof crmUserSchema>;

const crmPageSchema = z.object({ users: z.array(crmUserSchema), next_cursor: nextCursorSchema });

export function defaultCrmUrl(): string {
  return env().CRM_URL ?? `${selfUrl()}/demo/crm`;
}

export function createCrmClient(options: Partial<PagedSourceOptions> = {}): PagedSource<CrmUserRecord> {
  return createPagedSource('crm', 'users', crmPageSchema, (page) => page.users, { ...options, baseUrl: options.baseUrl ?? defaultCrmUrl() });
}
