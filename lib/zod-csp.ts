/**
 * zod compiles fast parsers with `new Function` when it can, and probes for that ability on first use. Under our
 * CSP (no 'unsafe-eval') the probe fails harmlessly, but the browser still reports a CSP violation each time;
 * jitless mode skips both. Imported for its effect by the app's root client component (components/providers.tsx).
 */
import { z } from 'zod';

z.config({ jitless: true });
