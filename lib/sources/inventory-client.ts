/** Client of an inventory system with the demo contract: GET {INVENTORY_URL}/products?cursor=&limit=. */
import { z } from 'zod';
import { env, selfUrl } from '@/lib/env';
import { createPagedSource, nextCursorSchema, type PagedSource, type PagedSourceOptions } from './paged-source';

export const inventoryProductSchema = z.object({
  product_id: z.number().int(),
  sku: z.string(),
  name: z.string(),
  category: z.string(),
  price: z.number(),
  stock_on_hand: z.number().int(),
});
export type InventoryProductRecord = z.infer<typeof inventoryProductSchema>;

const inventoryPageSchema = z.object({ products: z.array(inventoryProductSchema), next_cursor: nextCursorSchema });

export function defaultInventoryUrl(): string {
  return env().INVENTORY_URL ?? `${selfUrl()}/demo/inventory`;
}

export function createInventoryClient(options: Partial<PagedSourceOptions> = {}): PagedSource<InventoryProductRecord> {
  return createPagedSource('inventory', 'products', inventoryPageSchema, (page) => page.products, {
    ...options,
    baseUrl: options.baseUrl ?? defaultInventoryUrl(),
  });
}
