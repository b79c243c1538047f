/**
 * Command-line flags of `npm run seed`, validated with zod so a typo gets a clear usage message
 * instead of a half-seeded database.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_GENERATOR_OPTIONS, type GeneratorOptions } from './generate';

export const SEED_USAGE = `Usage: npm run seed -- [--customers N] [--products N] [--days N] [--orders N] [--seed S]

Replaces the demo CRM users, inventory products, orders and order items with a deterministic set.
  --customers N  CRM users, 1–10000000            (default ${DEFAULT_GENERATOR_OPTIONS.customers})
  --products N   inventory products, 1–1000000    (default ${DEFAULT_GENERATOR_OPTIONS.products})
  --days N       days of orders ending yesterday (UTC), 1–3650 (default ${DEFAULT_GENERATOR_OPTIONS.days})
  --orders N     orders, 1–20000000               (default ${DEFAULT_GENERATOR_OPTIONS.orders})
  --seed S       any integer 0–2147483647; same seed, same data (default ${DEFAULT_GENERATOR_OPTIONS.seed})`;

const count = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));

const flagsSchema = z.strictObject({
  customers: count(10_000_000).optional(),
  products: count(1_000_000).optional(),
  days: count(3_650).optional(),
  orders: count(20_000_000).optional(),
  seed: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(0).max(2_147_483_647))
    .optional(),
});

export type SeedCommand = { kind: 'help' } | { kind: 'run'; options: GeneratorOptions } | { kind: 'error'; message: string };

export function parseSeedArgs(argv: string[]): SeedCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        customers: { type: 'string' },
        products: { type: 'string' },
        days: { type: 'string' },
        orders: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: `${error instanceof Error ? error.message : String(error)}\n\n${SEED_USAGE}` };
  }
  const { help, ...flags } = values;
  if (help) return { kind: 'help' };
  const parsed = flagsSchema.safeParse(flags);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  --${issue.path.join('.')}: ${issue.message}`);
    return { kind: 'error', message: `Invalid flags:\n${lines.join('\n')}\n\n${SEED_USAGE}` };
  }
  const chosen = Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined));
  return { kind: 'run', options: { ...DEFAULT_GENERATOR_OPTIONS, ...chosen } };
}
