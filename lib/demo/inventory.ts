/** The demo inventory system's data: a keyset-paginated product list from demo.inventory_products. */
import { sql } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { jsonPage, type PageRequest } from './pagination';

/** `{"products": [{product_id, sku, name, category, price, stock_on_hand}], "next_cursor"}` as the response body; price a JSON number. */
export function inventoryProductsPage(db: Database, page: PageRequest): Promise<string> {
  return jsonPage(
    db,
    {
      table: sql`demo.inventory_products`,
      id: sql`product_id`,
      item: sql`json_build_object('product_id', product_id, 'sku', sku, 'name', name, 'category', category,
                'price', price, 'stock_on_hand', stock_on_hand)`,
      itemsKey: 'products',
    },
    page,
  );
}
