/**
 * Which pipelines the start form offers, and the submitted form → a launch of one of them. Definitions come from
 * the caller (the app's registry), so this module knows no pipeline by name; a pipeline is picked by its name, or
 * by `namespace.name` when two namespaces share it.
 */
import { z } from 'zod';
import type { PipelineDefinition } from '@/lib/engine';
import { describeInputForm, parseInputForm, type InputFormDescription } from './input-form';

export interface PipelineChoice {
  /** What `?pipeline=` carries. */
  ref: string;
  namespace: string;
  name: string;
  /** The newest registered version: the one a new run gets. */
  version: string;
  description: string;
}

/** The form field that says which pipeline a submission is for (the input's own fields keep their names). */
export const PIPELINE_FIELD = '__pipeline';

const compareVersions = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Each pipeline once, at its newest version, sorted by name. */
function newestDefinitions(definitions: readonly PipelineDefinition[]): PipelineDefinition[] {
  const newest = new Map<string, PipelineDefinition>();
  for (const definition of definitions) {
    const key = `${definition.namespace}.${definition.name}`;
    const known = newest.get(key);
    if (!known || compareVersions(definition.version, known.version) > 0) newest.set(key, definition);
  }
  return [...newest.values()].sort((a, b) => a.name.localeCompare(b.name) || a.namespace.localeCompare(b.namespace));
}

export function pipelineChoices(definitions: readonly PipelineDefinition[]): PipelineChoice[] {
  const newest = newestDefinitions(definitions);
  return newest.map((definition) => {
    const shared = newest.filter((other) => other.name === definition.name).length > 1;
    return {
      ref: shared ? `${definition.namespace}.${definition.name}` : definition.name,
      namespace: definition.namespace,
      name: definition.name,
      version: definition.version,
      description: definition.description,
    };
  });
}

/** The newest definition `ref` names, or undefined (unknown, or a name two namespaces share without its namespace). */
export function findPipeline(definitions: readonly PipelineDefinition[], ref: string): PipelineDefinition | undefined {
  const choice = pipelineChoices(definitions).find((candidate) => candidate.ref === ref || `${candidate.namespace}.${candidate.name}` === ref);
  if (!choice) return undefined;
  return newestDefinitions(definitions).find((definition) => definition.namespace === choice.namespace && definition.name === choice.name);
}

export function unknownPipelineMessage(ref: string, definitions: readonly PipelineDefinition[]): string {
  const known = pipelineChoices(definitions).map((choice) => choice.ref);
  return `There is no pipeline “${ref}”. Known pipelines: ${known.join(', ') || 'none'}.`;
}

export interface PipelineLaunchRequest {
  namespace: string;
  name: string;
  context: unknown;
}

/**
 * The server action's schema: FormData values → which pipeline and its input, validated by that pipeline's own
 * schema. Field issues are keyed by the field's form name, so the form shows each next to its field.
 */
export function pipelineStartFormSchema(definitions: readonly PipelineDefinition[]) {
  return z.record(z.string(), z.union([z.string(), z.array(z.string())])).transform((values, ctx): PipelineLaunchRequest => {
    const rawRef = values[PIPELINE_FIELD];
    const ref = typeof rawRef === 'string' ? rawRef.trim() : '';
    const definition = findPipeline(definitions, ref);
    if (!definition) {
      ctx.addIssue({ code: 'custom', path: [], message: unknownPipelineMessage(ref, definitions) });
      return z.NEVER;
    }
    const parsed = parseInputForm(definition.input, describeInputForm(definition.input), values);
    if (parsed.ok) return { namespace: definition.namespace, name: definition.name, context: parsed.input };
    for (const [field, messages] of Object.entries(parsed.errors)) for (const message of messages) ctx.addIssue({ code: 'custom', path: [field], message });
    for (const message of parsed.formErrors) ctx.addIssue({ code: 'custom', path: [], message });
    return z.NEVER;
  });
}

export type StartPageView =
  | { kind: 'unknown'; message: string; choices: PipelineChoice[] }
  /** The pipeline that keeps its own form (customer_analytics, passed in by the page as `special`). */
  | { kind: 'special'; pipeline: PipelineChoice; choices: PipelineChoice[] }
  | { kind: 'generated'; pipeline: PipelineChoice; form: InputFormDescription; choices: PipelineChoice[] };

/**
 * What `/runs/new?pipeline=` shows: without a choice, the `special` pipeline (or the first, in a deployment without
 * it); an unknown name, a message listing the known ones. `choices` is for the picker (shown when there are two+).
 */
export function startPageView(definitions: readonly PipelineDefinition[], requested: string | undefined, special: { namespace: string; name: string }): StartPageView {
  const choices = pipelineChoices(definitions);
  const specialRef = `${special.namespace}.${special.name}`;
  const definition = requested ? findPipeline(definitions, requested) : (findPipeline(definitions, specialRef) ?? findPipeline(definitions, choices[0]?.ref ?? ''));
  const pipeline = definition && choices.find((choice) => choice.namespace === definition.namespace && choice.name === definition.name);
  if (!definition || !pipeline) return { kind: 'unknown', message: unknownPipelineMessage(requested ?? '', definitions), choices };
  if (definition.namespace === special.namespace && definition.name === special.name) return { kind: 'special', pipeline, choices };
  return { kind: 'generated', pipeline, form: describeInputForm(definition.input), choices };
}
