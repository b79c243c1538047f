/** Shared engine types: JSON values, states, event names, the logger interface and the definition shapes. */
import type { PoolClient } from 'pg';
import type { ZodType, output } from 'zod';
import type { DbHandle } from '@/db/client';
import { stepStatus, taskStatus, type StepStatus, type TaskStatus } from '@/db/schema';

export type { StepStatus, TaskStatus };

export type JsonPrimitive = string | number | boolean | null;
// `undefined` members are allowed because JSON.stringify drops them, so optional fields of result objects fit.
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue | undefined };

/** The schema's enums are the one list of states. */
export const TASK_STATUSES = taskStatus.enumValues;
export const STEP_STATUSES = stepStatus.enumValues;

export const EVENT_NAMES = [
  'task.started',
  'task.completed',
  'task.failed',
  'task.cancelled',
  /** An operator retried, reran or resolved steps: who, why and which steps (see task_operations). */
  'task.operation',
  'step.started',
  'step.progress',
  'step.retrying',
  'step.failed',
  'step.completed',
  'step.cancelled',
  'step.resolved_manually',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** Structured logger; a pino logger fits as is. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * What each step of a pipeline returns, by step name. A pipeline may declare it (`definePipeline<Schema, Results>`)
 * so a dependent reads its dependencies' results with their types; undeclared, every result is a JsonValue.
 */
export type StepResults = Record<string, JsonValue>;

/** A results declaration whose every member is JSON (object types written with `type`, not `interface`). */
export type StepResultsOf<TResults> = { [K in keyof TResults]: JsonValue };

export interface StepContext<TContext = unknown, TResults = StepResults> {
  taskId: string;
  stepName: string;
  /** 1 for the first attempt of the step, counting every attempt ever made (operator retries included). */
  attempt: number;
  /**
   * This attempt's id: the fence. A handler that writes its own data in a transaction calls
   * `assertCurrentAttempt(client, ctx)` first, so an attempt that timed out, lost its lease or was
   * cancelled cannot write after another attempt took the step over.
   */
  attemptId: number;
  /** The task's input, validated with the pipeline's schema, defaults applied. */
  context: TContext;
  /** Results of the step's dependencies, by step name (a step that is not a dependency is absent). */
  results: Readonly<Partial<TResults>>;
  /** Persisted (about once a second at most) and announced to live views. */
  progress(message: string, percent?: number): void;
  /** Aborted on timeout, task cancellation, lost lease or worker shutdown. */
  signal: AbortSignal;
  logger: Logger;
  db: DbHandle;
}

export type StepHandler<TContext = unknown> = (ctx: StepContext<TContext>) => Promise<JsonValue>;

export interface StepDefinition<TContext = unknown, TResults = StepResults, TName extends string = string> {
  name: TName;
  description?: string;
  dependsOn?: StepName<TResults> | StepName<TResults>[];
  // Method syntax on purpose: it keeps a pipeline with a specific context assignable to the registry's
  // `PipelineDefinition<unknown>` (method parameters are checked bivariantly).
  handler(ctx: StepContext<TContext, TResults>): Promise<TName extends keyof TResults ? TResults[TName] : JsonValue>;
  /** Default true. A non-retryable step has exactly one attempt. */
  retryable?: boolean;
  /** Retries after the first attempt; default 3. */
  retryLimit?: number;
  timeoutMs?: number;
  /** Free-form, e.g. `{ severity: 'critical' }` for monitoring. */
  metadata?: Record<string, JsonValue>;
}

type StepName<TResults> = keyof TResults & string;

/** One step of a pipeline whose results are declared: its handler returns the result declared under its name. */
export type TypedStepDefinition<TContext, TResults> = { [K in StepName<TResults>]: StepDefinition<TContext, TResults, K> }[StepName<TResults>];

export interface PipelineDefinitionInput<TSchema extends ZodType, TResults = StepResults> {
  namespace: string;
  name: string;
  version: string;
  description: string;
  input: TSchema;
  steps: TypedStepDefinition<output<TSchema>, TResults>[];
}

/** A step after validation: defaults applied, dependencies as an array. */
export interface NormalizedStep<TContext = unknown> {
  name: string;
  description: string | null;
  dependsOn: string[];
  handler(ctx: StepContext<TContext>): Promise<JsonValue>;
  retryable: boolean;
  retryLimit: number;
  timeoutMs: number | null;
  metadata: Record<string, JsonValue>;
}

export interface PipelineDefinition<TContext = unknown> {
  namespace: string;
  name: string;
  version: string;
  description: string;
  input: ZodType<TContext>;
  /** In declaration order. */
  steps: NormalizedStep<TContext>[];
  step(name: string): NormalizedStep<TContext> | undefined;
}

/** Who did an operator operation and why. */
export interface Actor {
  actor: string;
  reason?: string;
  /**
   * Runs inside the operation's transaction, after the steps changed and before commit: the caller's record of the
   * operation (an audit entry) lands with it or not at all.
   */
  alsoInTransaction?(client: PoolClient, affectedSteps: readonly string[]): Promise<void>;
}
