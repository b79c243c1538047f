/** definePipeline: validates a pipeline at definition time and applies the step defaults. */
import type { ZodType, output } from 'zod';
import { PipelineDefinitionError } from './errors';
import { findCycle } from './graph';
import type { NormalizedStep, PipelineDefinition, PipelineDefinitionInput, StepContext, StepResults, StepResultsOf } from './types';

export const DEFAULT_RETRY_LIMIT = 3;

const NAME_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/**
 * `TResults` (optional) declares each step's result by step name: handlers must return it, and dependents read it
 * from `ctx.results` with its type. The engine itself stores and passes results as JSON whatever the declaration.
 */
export function definePipeline<TSchema extends ZodType, TResults extends StepResultsOf<TResults> = StepResults>(
  // NoInfer: results are declared, never guessed from the steps (a guess from one step's name would reject the rest).
  input: PipelineDefinitionInput<TSchema, NoInfer<TResults>>,
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
    return {
      name: step.name,
      description: step.description ?? null,
      dependsOn,
      // The worker hands a step the stored results of exactly its dependencies, which the declaration describes.
      handler: (ctx: StepContext<output<TSchema>>) => step.handler(ctx as StepContext<output<TSchema>, TResults>),
      retryable: step.retryable ?? true,
      retryLimit,
      timeoutMs: step.timeoutMs ?? null,
      metadata: step.metadata ?? {},
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

  const byName = new Map(steps.map((step) => [step.name, step]));
  return {
    namespace: input.namespace,
    name: input.name,
    version: input.version,
    description: input.description,
    // TS cannot see that a TSchema's output type is output<TSchema> while TSchema is still generic.
    input: input.input as ZodType<output<TSchema>>,
    steps,
    step: (name) => byName.get(name),
  };
}
