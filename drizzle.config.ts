import { defineConfig } from 'drizzle-kit';

// Generation needs no database; `npm run db:migrate` applies migrations through db/migrate.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './drizzle',
  schemaFilter: ['public', 'shop', 'demo', 'analytics'],
});
