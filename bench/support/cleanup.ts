/**
 * What must not outlive an interrupted benchmark run (Ctrl-C, SIGTERM): detached Next / `npm start` process groups
 * and the temporary PostgreSQL servers. Each registers its stop here while it runs; the runner calls runCleanups()
 * from its signal handler.
 */
const pending = new Set<() => Promise<void>>();

/** Registers `stop`; the returned function unregisters it (call it once stopped normally). */
export function onInterrupt(stop: () => Promise<void>): () => void {
  pending.add(stop);
  return () => pending.delete(stop);
}

export async function runCleanups(): Promise<void> {
  const stops = [...pending];
  pending.clear();
  await Promise.allSettled(stops.map((stop) => stop()));
}
