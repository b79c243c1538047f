/** Argument parsing for `npm run token -- --name NAME --role ROLE` (scripts/token.ts), kept here to be testable. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { newApiTokenSchema } from './api-tokens';

export const TOKEN_USAGE = `Usage: npm run token -- --name NAME --role viewer|operator|admin

Creates an API token and prints it once. Clients send it as "Authorization: Bearer <token>".
Uses DATABASE_URL, or the embedded PostgreSQL in NIGHTSHIFT_DATA_DIR (shared with a running npm start).`;

export type TokenCommand = { kind: 'create'; name: string; role: z.output<typeof newApiTokenSchema>['role'] } | { kind: 'help' } | { kind: 'error'; message: string };

export function parseTokenArgs(argv: string[]): TokenCommand {
  let values: { name?: string; role?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { name: { type: 'string' }, role: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { kind: 'error', message: `${error instanceof Error ? error.message : String(error)}\n\n${TOKEN_USAGE}` };
  }
  if (values.help) return { kind: 'help' };
  const parsed = newApiTokenSchema.safeParse({ name: values.name, role: values.role });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  --${issue.path.join('.')}: ${issue.message}`);
    return { kind: 'error', message: `${problems.join('\n')}\n\n${TOKEN_USAGE}` };
  }
  return { kind: 'create', ...parsed.data };
}
