/** All tables, one module per domain. drizzle-kit reads this file to generate migrations. */
export * from './sources';
export * from './engine';
export * from './auth';
export * from './analytics';
export * from './monitoring';
export * from './backfills';
export * from './retention';
