/** Joins class names; conditional parts may be false/undefined. (No tailwind-merge: callers add, never override.) */
import { clsx, type ClassValue } from 'clsx';

export function cn(...parts: ClassValue[]): string {
  return clsx(parts);
}
