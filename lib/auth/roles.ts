/**
 * The three roles, their order (viewer < operator < admin) and the one comparison everybody uses.
 * Kept free of database imports so client components can use it; a test checks it against the user_role enum.
 */
import { z } from 'zod';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleSchema = z.enum(ROLES, { error: `Choose a role: ${ROLES.join(', ')}` });

/** True when `actual` grants at least what `required` asks for. */
export function hasRole(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'Reads the dashboard, runs and results',
  operator: 'Also starts, retries, cancels and resolves runs; fault injection',
  admin: 'Also manages users, API tokens and reads the audit log',
};
