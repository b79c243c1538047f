/**
 * `npm run token -- --name NAME --role ROLE`: create an API token from a shell and print it once.
 * Audited as actor `cli`. Uses DATABASE_URL, or the embedded server (shared with a running `npm start`).
 */
import { createPool } from '../db/client';
import { acquireDatabase } from '../db/runtime';
import { env } from '../lib/env';
import { createApiToken } from '../lib/auth/api-tokens';
import { parseTokenArgs, TOKEN_USAGE } from '../lib/auth/token-cli';

const command = parseTokenArgs(process.argv.slice(2));
if (command.kind === 'help') {
  console.log(TOKEN_USAGE);
  process.exit(0);
}
if (command.kind === 'error') {
  console.error(command.message);
  process.exit(2);
}

const database = await acquireDatabase(env(), { migrate: true });
const handle = createPool(database.url, { max: 1, applicationName: 'nightshift-token' });
try {
  const { token, record } = await createApiToken(handle.db, { name: command.name, role: command.role }, { actorId: null, actorLabel: 'cli' });
  console.log(`Created API token "${record.name}" (role ${record.role}, id ${record.id}). It is shown only this once:\n`);
  console.log(token);
  console.log(`\nUse it as:  curl -H "Authorization: Bearer ${token.slice(0, 6)}…" …   Revoke it on /admin/tokens.`);
} catch (error) {
  console.error(`[token] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
  await database.release();
}
