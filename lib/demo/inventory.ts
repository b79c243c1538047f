/** The demo inventory system's data: a keyset-paginated product list from demo.inventory_products. */
import { asc, gt } from 'drizzle-orm';
import type { Database } from '@/db/client';
import { inventoryProducts } from '@/db/schema';
import { toPage, type PageRequest } from './pagination';

export interface InventoryProduct {
  product_id: number;
  sku: string;
  name: string;
  category: string;
  /** Unit price; a JSON number with at most two decimals. */
  price: number;
  stock_on_hand: number;
}

export interface InventoryProductsPage {
  products: InventoryProduct[];
  next_cursor: string | null;
}

export async function listInventoryProducts(db: Database, page: PageRequest): Promise<InventoryProductsPage> {
  const rows = await db
    .select()
    .from(inventoryProducts)
    .where(page.afterId === undefined ? undefined : gt(inventoryProducts.productId, page.afterId))
    .orderBy(asc(inventoryProducts.productId))
    .limit(page.limit + 1);
  const { rows: products, nextCursor } = toPage(rows, page.limit, (row) => row.productId);
  return {
    products: products.map((row) => ({
      product_id: row.productId,
      sku: row.sku,
      name: row.name,
      category: row.category,
      price: Number(row.price),
      stock_on_hand: row.stockOnHand,
    })),
    next_cursor: nextCursor,
  };
}
