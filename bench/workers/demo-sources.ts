/**
 * The demo CRM / inventory / Slack endpoints (the app's own route handlers) served over real HTTP on a random port,
 * for the pipeline benchmark's worker. A process of its own because the handlers read DATABASE_URL through the
 * app's once-parsed env(), and each benchmark run has its own database. Prints "listening on <url>".
 */
import { serveRoutes } from '@/tests/setup/http';

const server = await serveRoutes({
  '/demo/crm/users': await import('@/app/demo/crm/users/route'),
  '/demo/inventory/products': await import('@/app/demo/inventory/products/route'),
  '/demo/slack/webhook': await import('@/app/demo/slack/webhook/route'),
});
console.log(`listening on ${server.url}`);
process.on('SIGTERM', () => void server.close().finally(() => process.exit(0)));
