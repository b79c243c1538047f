/** `npm run db:migrate`: apply drizzle/ to DATABASE_URL, or to the embedded server. */
import { acquireDatabase } from '../db/runtime';
import { env } from '../lib/env';

const database = await acquireDatabase(env(), { migrate: true });
console.log('[nightshift] migrations applied');
await database.release();
