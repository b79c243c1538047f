/** `npm run db:migrate`: apply drizzle/ to DATABASE_URL, or to the embedded server. */
import { acquireDatabase } from '../db/runtime';

const database = await acquireDatabase({ migrate: true });
console.log('[nightshift] migrations applied');
await database.release();
