/**
 * API tokens for machine clients (`Authorization: Bearer ns_…`). The token is shown once at creation; the table
 * keeps its sha256 and a short prefix for recognising it in the list. Revoked tokens stay listed (with the
 * revocation time) so the audit trail still makes sense.
 */
import { desc, eq, and, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/db/client';
import { apiTokens, users, type ApiToken } from '@/db/schema/auth';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { UserFacingError } from './errors';
import { roleSchema } from './roles';
import { hashSecret, newApiToken } from './secrets';

export const newApiTokenSchema = z.object({
  name: z
    .string({ error: 'Enter a name' })
    .trim()
    .min(1, 'Enter a name')
    .max(100, 'Name must be at most 100 characters'),
  role: roleSchema,
});
export type NewApiTokenInput = z.input<typeof newApiTokenSchema>;

export type ListedApiToken = Omit<ApiToken, 'tokenHash'> & { createdByEmail: string | null };

const LAST_USED_RESOLUTION_MS = 60_000;

export async function createApiToken(
  db: Database,
  input: NewApiTokenInput,
  actor: AuditActor,
): Promise<{ token: string; record: Omit<ApiToken, 'tokenHash'> }> {
  const parsed = newApiTokenSchema.parse(input);
  const token = newApiToken();
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(apiTokens)
      .values({
        name: parsed.name,
        role: parsed.role,
        tokenHash: hashSecret(token),
        tokenPrefix: token.slice(0, 10),
        createdBy: actor.actorId ?? null,
      })
      .returning();
    if (!created) throw new Error('token insert returned no row');
    await recordAudit(tx, { ...actor, action: 'token.create', target: created.name, details: { tokenId: created.id, role: created.role } });
    const { tokenHash: _tokenHash, ...record } = created;
    return { token, record };
  });
}

export async function listApiTokens(db: Database): Promise<ListedApiToken[]> {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      role: apiTokens.role,
      tokenPrefix: apiTokens.tokenPrefix,
      createdBy: apiTokens.createdBy,
      createdByEmail: users.email,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.createdBy))
    .orderBy(desc(apiTokens.createdAt));
}

export async function revokeApiToken(db: Database, tokenId: string, actor: AuditActor): Promise<void> {
  await db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(apiTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id, name: apiTokens.name });
    if (!revoked) throw new UserFacingError('No such active token', 404);
    await recordAudit(tx, { ...actor, action: 'token.revoke', target: revoked.name, details: { tokenId: revoked.id } });
  });
}

/** The active token behind a bearer value, or null. Records when it was last used (to the minute). */
export async function resolveApiToken(db: Database, token: string, now: Date = new Date()): Promise<Omit<ApiToken, 'tokenHash'> | null> {
  if (token.length > 200) return null;
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashSecret(token)), isNull(apiTokens.revokedAt)));
  if (!row) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore))));
  }
  const { tokenHash: _tokenHash, ...record } = row;
  return record;
}
