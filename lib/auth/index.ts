/** What the rest of Nightshift uses from auth (server side). Client components import roles.ts / action-state.ts directly. */
export { requirePageRole, withRole, authorizedAction, publicAction } from './guards';
export { getPrincipal, SESSION_COOKIE, type Principal, type PrincipalSource } from './principal';
export { currentPrincipal } from './request-context';
export { hasRole, ROLES, type Role } from './roles';
export { UserFacingError } from './errors';
export { idleState, type ActionState, type ActionOutcome } from './action-state';
export { auditActorOf } from './principal-types';
export { ensureBootstrapAdmin } from './bootstrap';
