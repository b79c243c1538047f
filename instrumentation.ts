/**
 * Next.js start-up hook: in the Node.js server runtime, start the workflow engine's worker and event
 * dispatcher inside the web process (lib/runtime/web.ts; RUN_WORKERS=0 turns it off).
 * Dynamic import keeps the engine (pg, node:os …) out of the edge runtime bundle.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startEngineInWebProcess } = await import('./lib/runtime/web');
    await startEngineInWebProcess();
  }
}
