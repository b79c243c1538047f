/**
 * The runs list's page cursors as they appear in URLs (`?after=…`, `?before=…`): opaque, so links do not invite
 * editing, and checked on the way in, so a mangled link is a clear refusal instead of a database error.
 */
import { z } from 'zod';
import type { TaskCursor } from '@/lib/engine';

const CREATED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SEPARATOR = '_';

export function encodeRunCursor(cursor: TaskCursor): string {
  return Buffer.from(`${cursor.createdAt}${SEPARATOR}${cursor.id}`, 'utf8').toString('base64url');
}

/** The position a cursor names; null for anything this list did not make. */
export function decodeRunCursor(text: string): TaskCursor | null {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(text)) return null;
  const [createdAt = '', id = '', ...rest] = Buffer.from(text, 'base64url').toString('utf8').split(SEPARATOR);
  if (rest.length > 0 || !CREATED_AT.test(createdAt) || !UUID.test(id) || Number.isNaN(Date.parse(createdAt))) return null;
  return { createdAt, id };
}

/** A cursor parameter: kept as the opaque text (links and the list's fetcher pass it on), refused unless it decodes. */
export const runCursorSchema = (name: 'after' | 'before') =>
  z.string().refine((text) => decodeRunCursor(text) !== null, `${name} is not a page link of this list (it may have been cut short): start again from the newest runs`);
