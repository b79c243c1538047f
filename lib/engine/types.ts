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
 * so a dependent reads its ancestors' results with their types; undeclared, every result is a JsonValue.
 */
export type StepResults = Record<string, JsonValue>;

/** A results declaration whose every member is JSON (object types written with `type`, not `interface`). */
export type StepResultsOf<TResults> = { [K in keyof TResults]: JsonValue };

/**
 * A pipeline's graph as a type: each step's direct dependencies as a union of names (`never` for a root), e.g.
 * `{ count: never; report: 'count' }`. Declared beside the results (`definePipeline<Schema, Results, Graph>`), it
 * makes reading a step that is not an ancestor a compile-time error; undeclared, every step may name every other
 * (and the engine still refuses a non-ancestor at run time).
 */
export type StepGraph<TResults> = { [K in keyof TResults]: keyof TResults & string };

declare const undeclared: unique symbol;
/** The default when no graph is declared: every step may name every other at compile time. */
export type UndeclaredGraph = { readonly [undeclared]: true };

type StepName<TResults> = keyof TResults & string;

/** Every step a step may read: its dependencies, theirs, and so on. */
export type AncestorsOf<TGraph, K extends keyof TGraph, Seen extends keyof TGraph = never> = TGraph[K] extends keyof TGraph
  ? TGraph[K] | AncestorsOfEach<TGraph, TGraph[K], Seen | K>
  : never;
type AncestorsOfEach<TGraph, D, Seen extends keyof TGraph> = D extends keyof TGraph ? (D extends Seen ? never : AncestorsOf<TGraph, D, Seen>) : never;

/** The element type of a mapped step's declared result (a list, one element per item). */
type ElementOf<T> = T extends readonly (infer E)[] ? E : JsonValue;

export interface StepContext<TContext = unknown, TResults = StepResults, TItem = JsonValue | undefined> {
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
  /**
   * Stored results of the step's ancestors (dependencies, their dependencies, …), by step name. A step that has no
   * result (resolved by hand without one) is absent; reading a step that is not an ancestor throws NotAnAncestorError.
   */
  results: Readonly<Partial<TResults>>;
  /** A child of a mapped step: its item of the list it maps over; undefined for other steps. */
  item: TItem;
  /** A child of a mapped step: its item's position in the list (0-based); null for other steps. */
  mapIndex: number | null;
  /** Persisted (about once a second at most) and announced to live views. */
  progress(message: string, percent?: number): void;
  /** Aborted on timeout, task cancellation, lost lease or worker shutdown. */
  signal: AbortSignal;
  logger: Logger;
  db: DbHandle;
}

export type StepHandler<TContext = unknown> = (ctx: StepContext<TContext>) => Promise<JsonValue>;

interface StepSettings<TDependency extends string> {
  description?: string;
  dependsOn?: TDependency | TDependency[];
  /** Default true. A non-retryable step has exactly one attempt. */
  retryable?: boolean;
  /** Retries after the first attempt; default 3. */
  retryLimit?: number;
  timeoutMs?: number;
  /** Free-form, e.g. `{ severity: 'critical' }` for monitoring. */
  metadata?: Record<string, JsonValue>;
  /**
   * The shape of the step's result. The engine checks an operator-supplied result against it (complete manually);
   * the handler's own result is typed by the results declaration instead. Without it, any JSON result is accepted.
   */
  result?: ZodType;
}

export interface StepDefinition<TContext = unknown, TResults = StepResults, TName extends string = string, TGraph = UndeclaredGraph>
  extends StepSettings<TName extends keyof TGraph ? TGraph[TName] & string : StepName<TResults>> {
  name: TName;
  mapsOver?: undefined;
  // Method syntax on purpose: it keeps a pipeline with a specific context assignable to the registry's
  // `PipelineDefinition<unknown>` (method parameters are checked bivariantly).
  handler(
    ctx: StepContext<TContext, Pick<TResults, TName extends keyof TGraph ? AncestorsOf<TGraph, TName> & keyof TResults : keyof TResults>, undefined>,
  ): Promise<TName extends keyof TResults ? TResults[TName] : JsonValue>;
}

/**
 * A mapped step: when it becomes ready, the engine expands it into one child per item of the list that the ancestor
 * `mapsOver` returned; each child runs this handler with its `ctx.item`, with its own attempts, retries, timeout and
 * lease. The step's result is its children's results in item order, so its handler returns one element.
 */
export interface MappedStepDefinition<
  TContext = unknown,
  TResults = StepResults,
  TName extends string = string,
  TGraph = UndeclaredGraph,
  TOver extends string = string,
> extends StepSettings<TName extends keyof TGraph ? TGraph[TName] & string : StepName<TResults>> {
  name: TName;
  mapsOver: TOver;
  /** The longest list it expands; a longer one fails the step. Default 1,000. */
  maxItems?: number;
  handler(
    ctx: StepContext<
      TContext,
      Pick<TResults, TName extends keyof TGraph ? AncestorsOf<TGraph, TName> & keyof TResults : keyof TResults>,
      TOver extends keyof TResults ? ElementOf<TResults[TOver]> : JsonValue
    >,
  ): Promise<TName extends keyof TResults ? ElementOf<TResults[TName]> : JsonValue>;
}

type MapSources<TResults, TGraph, K> = K extends keyof TGraph ? AncestorsOf<TGraph, K> & StepName<TResults> : StepName<TResults>;

/** One step of a pipeline whose results are declared: its handler returns the result declared under its name. */
export type TypedStepDefinition<TContext, TResults, TGraph = UndeclaredGraph> = {
  [K in StepName<TResults>]:
    | StepDefinition<TContext, TResults, K, TGraph>
    | { [O in MapSources<TResults, TGraph, K>]: MappedStepDefinition<TContext, TResults, K, TGraph, O> }[MapSources<TResults, TGraph, K>];
}[StepName<TResults>];

export interface PipelineDefinitionInput<TSchema extends ZodType, TResults = StepResults, TGraph = UndeclaredGraph> {
  namespace: string;
  name: string;
  version: string;
  description: string;
  input: TSchema;
  steps: TypedStepDefinition<output<TSchema>, TResults, TGraph>[];
  /**
   * Metadata every step carries, under its own (a step's keys win): what a pipeline declares once for all its steps,
   * e.g. `{ channels: { engineers: '#retention' } }` for its alerts. Stored on each step row, so a run keeps it.
   */
  stepMetadata?: Record<string, JsonValue>;
}

/** A step after validation: defaults applied, dependencies as an array. */
export interface NormalizedStep<TContext = unknown> {
  name: string;
  description: string | null;
  dependsOn: string[];
  /** Every step it may read (the transitive closure of dependsOn), in declaration order. */
  ancestors: string[];
  /** A mapped step: the ancestor whose list it maps over, and the longest list it accepts. */
  map: { over: string; maxItems: number } | null;
  handler(ctx: StepContext<TContext>): Promise<JsonValue>;
  retryable: boolean;
  retryLimit: number;
  timeoutMs: number | null;
  metadata: Record<string, JsonValue>;
  /** The declared result schema; null when none is declared. */
  result: ZodType | null;
}

export interface PipelineDefinition<TContext = unknown> {
  namespace: string;
  name: string;
  version: string;
  description: string;
  /**
   * SHA-256 (hex) of what shapes a run: namespace, name, version and each step's name, dependencies, map, retry and
   * timeout settings. A run pins it, so a definition changed without a new version is told apart.
   */
  definitionHash: string;
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
