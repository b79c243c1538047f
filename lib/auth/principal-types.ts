/** Who is making a request, as every check and audit entry sees it. Safe to import from client components. */
import type { Role } from './roles';

export interface Principal {
  kind: 'session' | 'token';
  role: Role;
  /** The signed-in user; null for API tokens. */
  userId: string | null;
  /** Readable identity for the header and the audit log: the user's email, or `token:<name>`. */
  label: string;
  /** sha256 of the session cookie (sessions only), so sign-out can delete exactly this session. */
  sessionTokenHash?: string;
  /** The api_tokens row (null for the API_TOKEN environment token). */
  tokenId?: string | null;
}

export function auditActorOf(principal: Principal): { actorId: string | null; actorLabel: string } {
  return { actorId: principal.userId, actorLabel: principal.label };
}
