/**
 * The audit log's one writer. Other modules call `recordAudit` for every change worth answering
 * "who did that, and when?": sign-ins, users, tokens, run start/retry/cancel/resolve, fault injection.
 *
 * It accepts a drizzle handle or transaction, or a raw pg pool/client, so a caller can write the entry in the
 * same transaction as the change it describes.
 */
import type pg from 'pg';
import type { Database } from '@/db/client';
import { auditLog } from '@/db/schema/auth';

export type DbTransaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type AuditWriter = Database | DbTransaction | pg.Pool | pg.PoolClient | pg.Client;

/** Who acted: a user (actorId + email), or a token / the CLI / the system (actorId null). */
export interface AuditActor {
  actorId?: string | null;
  actorLabel: string;
}

export interface AuditEvent extends AuditActor {
  /** Dotted verb: `auth.login.success`, `user.role.change`, `run.retry`, `chaos.update`… */
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

export const SYSTEM_ACTOR: AuditActor = { actorId: null, actorLabel: 'system' };

// Defence in depth: whatever a caller passes, a value under a key that names a secret is not stored.
const SECRET_KEY = /pass(word)?|secret|^token$|credential/i;

export function redactSecrets(details: Record<string, unknown>): Record<string, unknown> {
  const redacted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (SECRET_KEY.test(key)) redacted[key] = '[redacted]';
    else if (value && typeof value === 'object' && !Array.isArray(value)) redacted[key] = redactSecrets(value as Record<string, unknown>);
    else redacted[key] = value;
  }
  return redacted;
}

function isDrizzle(writer: AuditWriter): writer is Database | DbTransaction {
  return 'insert' in writer && typeof writer.insert === 'function';
}

export async function recordAudit(writer: AuditWriter, event: AuditEvent): Promise<void> {
  const row = {
    actorId: event.actorId ?? null,
    actorLabel: event.actorLabel,
    action: event.action,
    target: event.target ?? null,
    details: event.details ? redactSecrets(event.details) : null,
  };
  if (isDrizzle(writer)) {
    await writer.insert(auditLog).values(row);
    return;
  }
  await writer.query(
    `INSERT INTO audit_log (actor_id, actor_label, action, target, details) VALUES ($1, $2, $3, $4, $5)`,
    [row.actorId, row.actorLabel, row.action, row.target, row.details === null ? null : JSON.stringify(row.details)],
  );
}
