/**
 * The engine event subscribers of this app (monitoring, alerting …), delivered by the event dispatcher
 * that runs in the web process. Each subscriber's `name` is its durable cursor: never rename one casually.
 */
import type { Subscriber } from '@/lib/engine';

export function buildSubscribers(): Subscriber[] {
  // Add subscribers here as they are built (issue 8: the pipeline monitor).
  return [];
}
