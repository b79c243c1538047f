/** Demo inventory: GET /demo/inventory/products?cursor=&limit= (keyset pages of products, with injected faults). */
import { demoRoute } from '@/lib/demo/demo-route';
import { parseQuery } from '@/lib/http/responses';
import { INVENTORY_PRODUCTS } from '@/lib/demo/inventory';
import { jsonPage, jsonPageResponse, pageQuerySchema, pageRequest } from '@/lib/demo/pagination';

export const dynamic = 'force-dynamic';

export const GET = demoRoute({
  source: 'inventory',
  parse: (request) => parseQuery(request.url, pageQuerySchema),
  handle: async (query, db) => jsonPageResponse(await jsonPage(db, INVENTORY_PRODUCTS, pageRequest(query))),
});
