/**
 * Test fixture: the web process's server-side start-up without Next's HTTP layer. It calls instrumentation.ts's
 * register() exactly as Next does in its Node.js runtime (NEXT_RUNTIME=nodejs must be set), which starts
 * lib/runtime/web.ts — event delivery, alert delivery, the scheduler, and a worker only when RUN_WORKERS is on.
 * What it does not cover is Next itself calling register(), which is Next's contract, and serving pages.
 *
 * Prints "web runtime ready worker=<yes|no>" once started; SIGTERM runs web.ts's own shutdown, then exits as
 * scripts/serve.ts does.
 */
import { register } from '../../../instrumentation';
import { startEngineInWebProcess } from '../web';

process.on('SIGTERM', () => setTimeout(() => process.exit(143), 1_200).unref());
await register();
// register() started it; this returns the same cached start-up, to tell whether it succeeded.
const host = await startEngineInWebProcess();
if (!host) {
  console.error('the web runtime did not start');
  process.exit(1);
}
console.log(`web runtime ready worker=${host.worker ? 'yes' : 'no'}`);
