/**
 * lib/demo simulates the outside world (demo CRM, inventory and Slack servers, fault injection, the data
 * generator). Product code must not come to depend on it: only the places that wire the demo into a running
 * Nightshift, or that are the demo's own pages, may import it. Tests, benchmarks and e2e fixtures may use it freely.
 */
import { describe, expect, it } from 'vitest';
import { importEdges, importSpecifiers, isTestFile, resolveSpecifier } from './import-graph';

/** Each allowed importer, and why it may. A new entry needs a reason of the same kind. */
const ALLOWED_DEMO_IMPORTERS: Record<string, string> = {
  'app/demo/crm/users/route.ts': 'the demo CRM server',
  'app/demo/inventory/products/route.ts': 'the demo inventory server',
  'app/demo/slack/webhook/route.ts': 'the demo Slack sink',
  'app/demo/slack/messages/route.ts': 'the demo Slack sink',
  'app/messages/page.tsx': 'page showing what the demo Slack sink received',
  'app/chaos/page.tsx': 'fault-injection page',
  'app/chaos/actions.ts': 'fault-injection page',
  'app/api/chaos/route.ts': 'fault-injection API',
  'components/demo/chaos-form.tsx': 'fault-injection page',
  'lib/pipelines/customer-analytics/default-sources.ts': 'wires the orders database fault into the sources a running Nightshift uses',
  'lib/runtime/background-services.ts': 'alert delivery falls back to the demo PagerDuty sink without a routing key',
  'scripts/start.ts': 'seeds demo data into an empty database at start',
  'scripts/seed.ts': 'npm run seed',
};

const PRODUCT_FOLDERS = ['app', 'lib', 'db', 'components', 'scripts'];

function demoImporters(): string[] {
  const importers = importEdges(PRODUCT_FOLDERS)
    .filter((edge) => edge.to.startsWith('lib/demo/') && !edge.from.startsWith('lib/demo/') && !isTestFile(edge.from))
    .map((edge) => edge.from);
  return [...new Set(importers)].sort();
}

describe('imports from lib/demo', () => {
  it('come only from the listed demo pages and runtime wiring', () => {
    const unexpected = demoImporters().filter((file) => !(file in ALLOWED_DEMO_IMPORTERS));
    expect(unexpected, 'product code importing lib/demo; move the dependency behind the runtime wiring').toEqual([]);
  });

  it('are all still there: an allowed importer that no longer imports the demo is dropped from the list', () => {
    expect(Object.keys(ALLOWED_DEMO_IMPORTERS).sort()).toEqual(demoImporters());
  });

  it('are recognised in every form the code uses (so the check above cannot pass by missing one)', () => {
    const source = [
      "import { a } from '@/lib/demo/chaos';",
      "import type { B } from '../demo/crm';",
      "export { c } from '@/lib/demo/slack';",
      "const d = await import('@/lib/demo/generator/seed-if-empty');",
    ].join('\n');
    const targets = importSpecifiers(source).map((specifier) => resolveSpecifier('lib/sources/x.ts', specifier));
    expect(targets).toEqual(['lib/demo/chaos.ts', 'lib/demo/crm.ts', 'lib/demo/slack.ts', 'lib/demo/generator/seed-if-empty.ts']);
  });
});
