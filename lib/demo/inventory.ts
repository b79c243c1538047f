/**
 * The demo inventory system's data: keyset pages of demo.inventory_products, each product
 * `{product_id, sku, name, category, price, stock_on_hand}` with price a JSON number. Served by
 * lib/demo/pagination.ts's jsonPage.
 */
import { sql } from 'drizzle-orm';
import type { JsonPageSource } from './pagination';

export const INVENTORY_PRODUCTS: JsonPageSource = {
  table: sql`demo.inventory_products`,
  id: sql`product_id`,
  item: sql`json_build_object('product_id', product_id, 'sku', sku, 'name', name, 'category', category,
            'price', price, 'stock_on_hand', stock_on_hand)`,
  itemsKey: 'products',
};
