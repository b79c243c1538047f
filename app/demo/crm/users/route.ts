/** Demo CRM: GET /demo/crm/users?cursor=&limit= (keyset pages of CRM users, with injected faults). */
import { CRM_USERS } from '@/lib/demo/crm';
import { demoRoute } from '@/lib/demo/demo-route';
import { parseQuery } from '@/lib/http/responses';
import { jsonPage, jsonPageResponse, pageQuerySchema, pageRequest } from '@/lib/demo/pagination';

export const dynamic = 'force-dynamic';

export const GET = demoRoute({
  source: 'crm',
  parse: (request) => parseQuery(request.url, pageQuerySchema),
  handle: async (query, db) => jsonPageResponse(await jsonPage(db, CRM_USERS, pageRequest(query))),
});
