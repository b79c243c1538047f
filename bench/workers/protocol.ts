/**
 * What benchmark worker processes and the runner say to each other over Node's IPC channel.
 * The runner sends `go` once every worker is ready (so process start-up is outside the timed window) and `stop`
 * at the end; a worker answers `stop` with everything its handlers recorded, then exits.
 */
import { z } from 'zod';

/** One handler execution, timed with the wall clock (epoch ms, sub-millisecond resolution). */
export const executionSchema = z.object({
  key: z.string(),
  attempt: z.number().int(),
  startedAt: z.number(),
  finishedAt: z.number(),
});
export type Execution = z.infer<typeof executionSchema>;

export const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('report'),
    executions: z.array(executionSchema),
    /** |high-resolution wall clock − Date.now()| when the report was made: how far the two clocks drifted apart. */
    clockSkewMs: z.number(),
    /** CPU time (user + system) this process used between `go` and `stop`, in seconds. */
    cpuSeconds: z.number(),
  }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

export const runnerMessageSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('go') }), z.object({ type: z.literal('stop') })]);
export type RunnerMessage = z.infer<typeof runnerMessageSchema>;

/**
 * Wall-clock time with sub-millisecond resolution, comparable with PostgreSQL's timestamps on the same machine.
 * Date.now() has whole milliseconds only, too coarse for hand-offs of a few ms.
 */
export const wallClockMs = () => performance.timeOrigin + performance.now();

/** The child side: records executions, waits for `go`, reports on `stop`. */
export function workerSide(handlers: { start(): Promise<void>; stop(): Promise<void> }) {
  const executions: Execution[] = [];
  let cpuAtGo = process.cpuUsage();
  const send = (message: WorkerMessage) =>
    new Promise<void>((resolve, reject) => {
      if (!process.send) return reject(new Error('a benchmark worker must be spawned with an IPC channel'));
      process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
    });
  process.on('message', (raw) => {
    const message = runnerMessageSchema.parse(raw);
    if (message.type === 'go') {
      cpuAtGo = process.cpuUsage();
      void handlers.start().catch((error: unknown) => {
        console.error('[bench worker] start failed', error);
        process.exit(1);
      });
    } else {
      void (async () => {
        const cpu = process.cpuUsage(cpuAtGo);
        await handlers.stop();
        await send({ type: 'report', executions, clockSkewMs: Math.abs(wallClockMs() - Date.now()), cpuSeconds: (cpu.user + cpu.system) / 1e6 });
        process.disconnect();
        process.exit(0);
      })().catch((error: unknown) => {
        console.error('[bench worker] stop failed', error);
        process.exit(1);
      });
    }
  });
  // With nobody to report to (the runner died), there is no point in running on.
  process.on('disconnect', () => process.exit(0));
  return {
    record(execution: Execution) {
      executions.push(execution);
    },
    ready: () => send({ type: 'ready' }),
  };
}
