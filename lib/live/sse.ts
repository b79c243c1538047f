/**
 * The wire format of /api/live (server-sent events): one named event per hub message, JSON data. Shared by the
 * route handler that writes it and the browser code that reads it, so both sides agree by construction.
 */
import { z } from 'zod';
import type { LiveMessage } from './hub';

/** How long the browser waits before reconnecting a dropped stream (the SSE `retry:` field). */
export const SSE_RETRY_MS = 2_000;
/** A comment line this often keeps proxies and the browser from treating a quiet stream as dead. */
export const SSE_HEARTBEAT_MS = 15_000;

export const SSE_EVENT_NAMES = ['task', 'resync', 'status'] as const;

export function formatSseMessage(message: LiveMessage): string {
  const { type, ...data } = message;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const sseHeaders: HeadersInit = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform keeps compression middleware from buffering the stream.
  'Cache-Control': 'no-store, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

const taskData = z.object({ taskId: z.string().min(1) });
const statusData = z.object({ listening: z.boolean() });

/** Parses one received SSE event back into a hub message; undefined for anything malformed. */
export function parseSseMessage(eventName: string, data: string): LiveMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (eventName === 'resync') return { type: 'resync' };
  if (eventName === 'task') {
    const parsed = taskData.safeParse(json);
    return parsed.success ? { type: 'task', taskId: parsed.data.taskId } : undefined;
  }
  if (eventName === 'status') {
    const parsed = statusData.safeParse(json);
    return parsed.success ? { type: 'status', listening: parsed.data.listening } : undefined;
  }
  return undefined;
}
