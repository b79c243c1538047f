/** What counts as low stock, in a module of its own so the browser's tables can say it without the read model's database code. */
export const LOW_STOCK_DAYS = 7;
