/** definePipeline: validates a pipeline at definition time and applies the step defaults. */
import { createHash } from 'node:crypto';
import type { ZodType, output } from 'zod';
import { PipelineDefinitionError } from './errors';
import { ancestorsOf, findCycle } from './graph';
import type {
  JsonValue,
  NormalizedStep,
  PipelineDefinition,
  PipelineDefinitionInput,
  StepContext,
  StepResults,
  StepResultsOf,
  UndeclaredGraph,
} from './types';

export const DEFAULT_RETRY_LIMIT = 3;
export const DEFAULT_MAP_MAX_ITEMS = 1_000;
/** A mapped step's children are rows of their own; this bounds what one list can add to a run. */
export const MAP_MAX_ITEMS_LIMIT = 10_000;

const NAME_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/**
 * `TResults` (optional) declares each step's result by step name: handlers must return it, and dependents read it
 * from `ctx.results` with its type. The engine itself stores and passes results as JSON whatever the declaration.
 */
export function definePipeline<TSchema extends ZodType, TResults extends StepResultsOf<TResults> = StepResults, TGraph = UndeclaredGraph>(
  // NoInfer: results are declared, never guessed from the steps (a guess from one step's name would reject the rest).
  input: PipelineDefinitionInput<TSchema, NoInfer<TResults>, NoInfer<TGraph>>,
): PipelineDefinition<output<TSchema>> {
  const label = `${input.namespace}/${input.name}@${input.version}`;
  for (const [field, value] of [
    ['namespace', input.namespace],
    ['name', input.name],
    ['version', input.version],
  ] as const) {
    if (!value || !NAME_PATTERN.test(value)) {
      throw new PipelineDefinitionError(`Pipeline ${label}: ${field} must be non-empty and use only letters, digits and _ . : -`);
    }
  }
  if (input.steps.length === 0) throw new PipelineDefinitionError(`Pipeline ${label} has no steps`);

  const steps: NormalizedStep<output<TSchema>>[] = input.steps.map((step) => {
    const dependsOn = step.dependsOn === undefined ? [] : Array.isArray(step.dependsOn) ? [...step.dependsOn] : [step.dependsOn];
    const retryLimit = step.retryable === false ? 0 : (step.retryLimit ?? DEFAULT_RETRY_LIMIT);
    if (!step.name || !NAME_PATTERN.test(step.name)) {
      throw new PipelineDefinitionError(`Pipeline ${label}: step name "${step.name}" must be non-empty and use only letters, digits and _ . : -`);
    }
    if (!Number.isInteger(retryLimit) || retryLimit < 0) {
      throw new PipelineDefinitionError(`Pipeline ${label}: step ${step.name} has retryLimit ${retryLimit}; it must be a whole number ≥ 0`);
    }
    if (step.timeoutMs !== undefined && (!Number.isInteger(step.timeoutMs) || step.timeoutMs <= 0)) {
      throw new PipelineDefinitionError(`Pipeline ${label}: step ${step.name} has timeoutMs ${step.timeoutMs}; it must be a positive whole number`);
    }
    const maxItems = step.mapsOver === undefined ? undefined : (('maxItems' in step ? step.maxItems : undefined) ?? DEFAULT_MAP_MAX_ITEMS);
    if (maxItems !== undefined && (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAP_MAX_ITEMS_LIMIT)) {
      throw new PipelineDefinitionError(
        `Pipeline ${label}: step ${step.name} has maxItems ${maxItems}; it must be a whole number from 1 to ${MAP_MAX_ITEMS_LIMIT.toLocaleString('en')}`,
      );
    }
    // The worker hands a step the stored results of its ancestors (and a map child its item), which the typed
    // declaration describes; the engine itself passes JSON whatever the declaration.
    return {
      name: step.name,
      description: step.description ?? null,
      dependsOn,
      ancestors: [],
      map: step.mapsOver === undefined || maxItems === undefined ? null : { over: step.mapsOver, maxItems },
      handler: (ctx: StepContext<output<TSchema>>): Promise<JsonValue> => step.handler(ctx as never),
      retryable: step.retryable ?? true,
      retryLimit,
      timeoutMs: step.timeoutMs ?? null,
      metadata: { ...input.stepMetadata, ...step.metadata },
      result: step.result ?? null,
    };
  });

  const names = new Set<string>();
  for (const step of steps) {
    if (names.has(step.name)) throw new PipelineDefinitionError(`Pipeline ${label}: duplicate step name "${step.name}"`);
    names.add(step.name);
  }
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (!names.has(dependency)) {
        throw new PipelineDefinitionError(`Pipeline ${label}: step "${step.name}" depends on unknown step "${dependency}"`);
      }
    }
    if (new Set(step.dependsOn).size !== step.dependsOn.length) {
      throw new PipelineDefinitionError(`Pipeline ${label}: step "${step.name}" lists a dependency twice`);
    }
  }
  const cycle = findCycle(steps);
  if (cycle) throw new PipelineDefinitionError(`Pipeline ${label} has a dependency cycle: ${cycle.join(' → ')}`);
  for (const step of steps) {
    step.ancestors = ancestorsOf(steps, step.name);
    if (step.map && !step.ancestors.includes(step.map.over)) {
      throw new PipelineDefinitionError(
        `Pipeline ${label}: step "${step.name}" maps over "${step.map.over}", which is not one of its ancestors; add it to dependsOn`,
      );
    }
  }

  const byName = new Map(steps.map((step) => [step.name, step]));
  return {
    namespace: input.namespace,
    name: input.name,
    version: input.version,
    description: input.description,
    definitionHash: hashDefinition(input.namespace, input.name, input.version, steps),
    // TS cannot see that a TSchema's output type is output<TSchema> while TSchema is still generic.
    input: input.input as ZodType<output<TSchema>>,
    steps,
    step: (name) => byName.get(name),
  };
}

/** What shapes a run, in a canonical order: a change to any of it is a different definition. */
function hashDefinition(namespace: string, name: string, version: string, steps: readonly NormalizedStep<never>[]): string {
  const shape = {
    namespace,
    name,
    version,
    steps: steps.map((step) => ({
      name: step.name,
      dependsOn: step.dependsOn,
      map: step.map,
      retryable: step.retryable,
      retryLimit: step.retryLimit,
      timeoutMs: step.timeoutMs,
    })),
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex');
}
