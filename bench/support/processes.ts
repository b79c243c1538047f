/** Child processes of the benchmarks: IPC workers (engine, graphile-worker) and /proc memory readings. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { workerMessageSchema, type Execution } from '../workers/protocol';

function statusFieldMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

/** VmHWM: the process's peak resident set size, in MB, as the kernel counts it. */
export const peakRssMb = (pid: number) => statusFieldMb(pid, 'VmHWM');
/** VmRSS: the resident set size right now, in MB. */
export const currentRssMb = (pid: number) => statusFieldMb(pid, 'VmRSS');

export interface WorkerReport {
  executions: Execution[];
  clockSkewMs: number;
  cpuSeconds: number;
}

export interface BenchWorker {
  pid: number;
  ready: Promise<void>;
  go(): void;
  /** Asks the worker to stop and resolves with what its handlers recorded, once it has exited. */
  stop(): Promise<WorkerReport>;
  kill(): Promise<void>;
}

export function spawnBenchWorker(script: 'engine-worker' | 'graphile-worker', env: Record<string, string>): BenchWorker {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', 'workers', `${script}.ts`)], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (!child.pid) throw new Error(`could not spawn ${script}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let onReport: ((report: WorkerReport) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (raw) => {
      const message = workerMessageSchema.parse(raw);
      if (message.type === 'ready') resolve();
      else onReport?.(message);
    });
    void exited.then((code) => reject(new Error(`${script} ${child.pid} exited (${code}) before it was ready`)));
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid,
    ready,
    go: () => child.send({ type: 'go' }),
    async stop() {
      const report = new Promise<WorkerReport>((resolve, reject) => {
        onReport = resolve;
        void exited.then((code) => reject(new Error(`${script} ${child.pid} exited (${code}) without a report`)));
      });
      child.send({ type: 'stop' });
      const received = await report;
      await exited;
      return received;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100;

/** /proc/<pid>/stat fields from `state` on (the command name before them may hold spaces); undefined once it ended. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime + cutime + cstime of one process (its own CPU and that of its reaped children), in seconds. */
function processTreeCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // utime is the 14th field of the line, index 11 from `state`.
  return fields ? [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0) / CLOCK_TICKS_PER_SECOND : 0;
}

/** CPU seconds used so far by every live process of a process group (e.g. `next start` and its server child). */
export function processGroupCpuSeconds(groupId: number): number {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => Number(statFields(pid)?.[2]) === groupId)
    .reduce((sum, pid) => sum + processTreeCpuSeconds(pid), 0);
}

/**
 * CPU seconds used so far by a PostgreSQL server: the postmaster with its exited backends (reaped, so counted in
 * its cutime/cstime) plus every live backend. Other servers on the machine are not counted.
 */
export function postgresCpuSeconds(postmasterPid: number): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${postmasterPid}/task/${postmasterPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    children = [];
  }
  return [postmasterPid, ...children].reduce((sum, pid) => sum + processTreeCpuSeconds(pid), 0);
}

/** Polls `probe` every `intervalMs` until it returns a value, or fails naming `what` after `timeoutMs`. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, options: { intervalMs: number; timeoutMs: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
