/**
 * `npm run seed -- --customers N --products N --days N --orders N --seed S`: replace the demo source data.
 * Uses DATABASE_URL, or the embedded server (shared with a running `npm start`); orders go to
 * SOURCE_DATABASE_URL when that is set.
 */
import { parseSeedArgs, SEED_USAGE } from '../lib/demo/generator/cli';
import { seedDemoData } from '../lib/demo/generator/seed-if-empty';
import { acquireDatabase } from '../db/runtime';
import { env } from '../lib/env';

const command = parseSeedArgs(process.argv.slice(2));
if (command.kind === 'help') {
  console.log(SEED_USAGE);
  process.exit(0);
}
if (command.kind === 'error') {
  console.error(command.message);
  process.exit(2);
}

const database = await acquireDatabase(env(), { migrate: true });
try {
  await seedDemoData(database.url, env().SOURCE_DATABASE_URL ?? database.url, command.options);
} catch (error) {
  console.error(`[seed] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await database.release();
}
