/**
 * Seeding entry points: `seedIfEmpty` for `npm start` (a small default set when the orders table is
 * empty) and `seedDemoData` for `npm run seed`. Both print progress.
 *
 * A separate orders database (SOURCE_DATABASE_URL) gets Nightshift's migrations applied too: the
 * simplest way to create its `shop` schema (the other tables there stay unused).
 */
import { createPool, type DbHandle } from '@/db/client';
import { runMigrations } from '@/db/migrate';
import { DEFAULT_GENERATOR_OPTIONS, generateDemoData, type GeneratorOptions, type GeneratorProgress, type GeneratorResult } from './generate';

function progressPrinter(started: number): (progress: GeneratorProgress) => void {
  return (progress) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (progress.phase === 'orders' && progress.ordersTotal) {
      const done = progress.ordersDone ?? 0;
      const percent = Math.floor((done / progress.ordersTotal) * 100);
      console.log(`[seed] orders ${done.toLocaleString('en-US')}/${progress.ordersTotal.toLocaleString('en-US')} (${percent}%) ${seconds}s`);
    } else {
      console.log(`[seed] ${progress.phase} ${seconds}s`);
    }
  };
}

async function withTargets<T>(appUrl: string, sourceUrl: string, run: (app: DbHandle, source: DbHandle) => Promise<T>): Promise<T> {
  const app = createPool(appUrl, { max: 3, applicationName: 'nightshift-seed' });
  const source = sourceUrl === appUrl ? app : createPool(sourceUrl, { max: 3, applicationName: 'nightshift-seed' });
  try {
    return await run(app, source);
  } finally {
    await app.close();
    if (source !== app) await source.close();
  }
}

export async function seedDemoData(appUrl: string, sourceUrl: string, options: GeneratorOptions): Promise<GeneratorResult> {
  if (sourceUrl !== appUrl) await runMigrations(sourceUrl);
  return withTargets(appUrl, sourceUrl, async (app, source) => {
    console.log(
      `[seed] generating ${options.customers} customers, ${options.products} products, ${options.orders} orders over ${options.days} days (seed ${options.seed})`,
    );
    const result = await generateDemoData({ app: app.pool, source: source.pool }, options, progressPrinter(performance.now()));
    console.log(
      `[seed] loaded ${result.orders.toLocaleString('en-US')} orders with ${result.orderItems.toLocaleString('en-US')} items in ${(result.elapsedMs / 1000).toFixed(1)}s ` +
        `(orders from ${result.windowStart.toISOString().slice(0, 10)} to ${new Date(result.windowEnd.getTime() - 1).toISOString().slice(0, 10)})`,
    );
    // The days the anomaly detection should find, so a reader can check the dashboard against them.
    for (const anomaly of result.anomalies) console.log(`[seed] anomalous day ${anomaly.day}: ${anomaly.description}`);
    return result;
  });
}

/** Seeds the default set when shop.orders is empty; leaves existing data alone. */
export async function seedIfEmpty(sourceDatabaseUrl: string, appDatabaseUrl: string = sourceDatabaseUrl): Promise<boolean> {
  if (sourceDatabaseUrl !== appDatabaseUrl) await runMigrations(sourceDatabaseUrl);
  const empty = await withTargets(appDatabaseUrl, sourceDatabaseUrl, async (_app, source) => {
    const found = await source.pool.query('SELECT 1 FROM shop.orders LIMIT 1');
    return found.rowCount === 0;
  });
  if (!empty) return false;
  console.log('[seed] source tables are empty: seeding the default demo set');
  await seedDemoData(appDatabaseUrl, sourceDatabaseUrl, DEFAULT_GENERATOR_OPTIONS);
  return true;
}
