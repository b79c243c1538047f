'use server';
/** Sign-in and sign-out. Thin adapters: validation and form state here, the rules in lib/auth/sign-in.ts. */
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { recordAudit } from '@/lib/audit/record';
import { publicAction, requireSameOriginAction } from '@/lib/auth/guards';
import { currentPrincipal, currentRequestInfo } from '@/lib/auth/request-context';
import { safeNextPath } from '@/lib/auth/request-info';
import { clearSessionCookie, setSessionCookie } from '@/lib/auth/session-cookie';
import { deleteSession } from '@/lib/auth/sessions';
import { signIn } from '@/lib/auth/sign-in';
import { UserFacingError } from '@/lib/auth/errors';

const signInSchema = z.object({
  email: z.string({ error: 'Enter your email address' }).trim().min(1, 'Enter your email address').max(254, 'Email is too long'),
  // Not trimmed: spaces may be part of a password. Capped so nobody can make us scrypt a megabyte.
  password: z.string({ error: 'Enter your password' }).min(1, 'Enter your password').max(200, 'Password is too long'),
  next: z.string().max(2000).optional(),
});

export const signInAction = publicAction(signInSchema, async (input) => {
  const request = await currentRequestInfo();
  const result = await signIn(getDb().db, {
    email: input.email,
    password: input.password,
    clientAddress: request.clientAddress,
    userAgent: request.userAgent,
  });
  if (!result.ok) throw new UserFacingError(result.message);
  await setSessionCookie(result.session.token, result.session.expiresAt, request.secure);
  // redirect() throws; the runner rethrows everything except UserFacingError, so Next still sees it.
  redirect(safeNextPath(input.next, '/'));
});

export async function signOutAction(): Promise<void> {
  await requireSameOriginAction();
  const principal = await currentPrincipal();
  if (principal?.kind === 'session' && principal.sessionTokenHash) {
    const { db } = getDb();
    await deleteSession(db, principal.sessionTokenHash);
    await recordAudit(db, { actorId: principal.userId, actorLabel: principal.label, action: 'auth.logout', target: principal.label });
  }
  await clearSessionCookie();
  redirect('/login');
}
