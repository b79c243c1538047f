/**
 * Users, sessions, API tokens, sign-in rate limiting and the audit log.
 *
 * Secrets are never stored: sessions and API tokens are kept as the sha256 of the value the client holds,
 * passwords as scrypt hashes with their parameters (lib/auth/password.ts).
 */
import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** Ordered from least to most privileged; lib/auth/roles.ts compares them by this order. */
export const userRole = pgEnum('user_role', ['viewer', 'operator', 'admin']);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Always stored lower-cased and trimmed (lib/auth/users.ts normalises before every read and write). */
    email: text('email').notNull(),
    name: text('name').notNull().default(''),
    role: userRole('role').notNull(),
    /** `scrypt$<N>$<r>$<p>$<salt>$<hash>` — the parameters travel with the hash so they can be raised later. */
    passwordHash: text('password_hash').notNull(),
    /** Set when an admin disables the account; its sessions are deleted at the same time. */
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('users_email_key').on(table.email)],
);

export const sessions = pgTable(
  'sessions',
  {
    /** sha256 (hex) of the cookie value; the value itself never reaches the database. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Sliding idle expiry is measured from here; refreshed at most once a minute. */
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    /** Absolute expiry: the session ends here however active it is. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    userAgent: text('user_agent'),
    clientAddress: text('client_address'),
  },
  (table) => [index('sessions_user_id_idx').on(table.userId), index('sessions_expires_at_idx').on(table.expiresAt)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    role: userRole('role').notNull(),
    /** sha256 (hex) of the full token; the token is shown once at creation. */
    tokenHash: text('token_hash').notNull(),
    /** The first characters of the token, so people can tell their tokens apart in the list. */
    tokenPrefix: text('token_prefix').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [uniqueIndex('api_tokens_token_hash_key').on(table.tokenHash)],
);

/**
 * One row per failed sign-in. Counting recent rows per account and per client address is the rate limit;
 * keeping it in PostgreSQL means every web process shares the same counters.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The email as typed (normalised), whether or not such an account exists. */
    email: text('email').notNull(),
    clientAddress: text('client_address').notNull(),
    failedAt: timestamp('failed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('login_failures_email_idx').on(table.email, table.failedAt),
    index('login_failures_address_idx').on(table.clientAddress, table.failedAt),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().default(sql`clock_timestamp()`),
    /** The user who acted, when it was a user (null for API tokens, the CLI and the system). */
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    /** Who acted, readable even after the user is gone: an email, `token:<name>`, `cli`, `system`. */
    actorLabel: text('actor_label').notNull(),
    /** Dotted verb such as `auth.login.success`, `user.create`, `run.retry`. */
    action: text('action').notNull(),
    /** What was acted on, e.g. a user's email or a run id. */
    target: text('target'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (table) => [index('audit_log_occurred_at_idx').on(table.occurredAt.desc(), table.id.desc())],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Session = typeof sessions.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
