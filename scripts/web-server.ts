/**
 * How the web server process is started, by `npm start` and by the benchmarks that measure it: Node running
 * scripts/serve.ts with the web server's V8 settings.
 *
 * --max-semi-space-size=64 (MB; V8's default is 16): rendering a page allocates a few megabytes that die young,
 * and twenty renders in flight keep enough of them alive that every 16 MB scavenge copied ~6 ms of survivors,
 * ~15 times a second, promoting enough to force regular full collections. With 64 MB the young generation is
 * collected a quarter as often and far less reaches the old space: measured on the dashboard under 20
 * connections (2 cores), GC time fell from ~850 to ~590 ms per 8 s, throughput rose ~15% (~100 → ~117 pages/s)
 * and p99 fell from ~300 to ~270 ms (docs/BENCHMARKS.md). It costs at most 3 × 48 MB more young-generation memory.
 */
import path from 'node:path';

export const WEB_SERVER_NODE_FLAGS = ['--max-semi-space-size=64'] as const;

export function webServerCommand(root: string, options: { dev?: boolean } = {}): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [...WEB_SERVER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'scripts', 'serve.ts'), ...(options.dev ? ['--dev'] : [])],
  };
}
