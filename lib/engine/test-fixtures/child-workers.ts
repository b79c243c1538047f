/** Spawns worker-process.ts children for multi-process tests and makes sure none outlives the test. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const FIXTURE = path.join(import.meta.dirname, 'worker-process.ts');

export interface ChildWorker {
  process: ChildProcess;
  id: string;
  ready: Promise<void>;
  exited: Promise<number | null>;
  output(): string;
  /** Each output line with the time (Date.now()) it arrived, for timing what the worker did. */
  lines(): { at: number; text: string }[];
}

/** Runs the worker under another command, e.g. `ip netns exec <namespace>` for a worker on a second "host". */
export type CommandWrapper = (command: string, args: string[]) => { command: string; args: string[] };

export function createChildWorkers() {
  const children: ChildWorker[] = [];
  return {
    spawn(databaseUrl: string, id: string, env: Record<string, string> = {}, wrap?: CommandWrapper): ChildWorker {
      const direct = { command: process.execPath, args: ['--import', 'tsx', FIXTURE] };
      const { command, args } = wrap ? wrap(direct.command, direct.args) : direct;
      const child = spawn(command, args, {
        cwd: process.cwd(),
        env: { ...process.env, TEST_DATABASE_URL: databaseUrl, TEST_WORKER_ID: id, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const lines: { at: number; text: string }[] = [];
      const record = (chunk: Buffer) => {
        const at = Date.now();
        output += chunk.toString();
        for (const text of chunk.toString().split('\n')) if (text.trim()) lines.push({ at, text });
      };
      child.stderr?.on('data', record);
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          record(chunk);
          if (output.includes('ready')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`worker ${id} exited (${code}) before it was ready:\n${output}`)));
      });
      ready.catch(() => undefined);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const handle = { process: child, id, ready, exited, output: () => output, lines: () => lines };
      children.push(handle);
      return handle;
    },
    /** SIGKILLs every child still running and waits for it to exit. */
    async killAll() {
      await Promise.all(
        children.splice(0).map(async (child) => {
          if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
          await child.exited;
        }),
      );
    },
  };
}
