/**
 * Which pipelines the start form offers, and the submitted form → a launch of one of them. Definitions come from
 * the caller (the app's registry), so this module knows no pipeline by name; a pipeline is picked by its name, or
 * by `namespace.name` when two namespaces share it.
 */
import { z } from 'zod';
import type { PipelineDefinition } from '@/lib/engine';
import type { StartFormHints } from '@/lib/platform/pipeline-module';
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
  | { kind: 'form'; pipeline: PipelineChoice; form: InputFormDescription; choices: PipelineChoice[] };

export interface StartPageOptions {
  /** The pipeline the page opens on without `?pipeline=` (the delivered one); else the first. */
  preferred?: { namespace: string; name: string };
  /** The pipeline's prefill and date bounds (PipelineModule.startForm). */
  hintsFor?: (definition: PipelineDefinition) => StartFormHints;
}

/**
 * What `/runs/new?pipeline=` shows: the form generated from the chosen pipeline's input schema; without a choice,
 * the preferred pipeline's (or the first, in a deployment without it); an unknown name, a message listing the known
 * ones. `choices` is for the picker (shown when there are two+).
 */
export function startPageView(definitions: readonly PipelineDefinition[], requested: string | undefined, options: StartPageOptions = {}): StartPageView {
  const choices = pipelineChoices(definitions);
  const preferred = options.preferred ? findPipeline(definitions, `${options.preferred.namespace}.${options.preferred.name}`) : undefined;
  const definition = requested ? findPipeline(definitions, requested) : (preferred ?? findPipeline(definitions, choices[0]?.ref ?? ''));
  const pipeline = definition && choices.find((choice) => choice.namespace === definition.namespace && choice.name === definition.name);
  if (!definition || !pipeline) return { kind: 'unknown', message: unknownPipelineMessage(requested ?? '', definitions), choices };
  return { kind: 'form', pipeline, form: describeInputForm(definition.input, options.hintsFor?.(definition) ?? {}), choices };
}

/** What a start that launched nothing came to, for the person who pressed the button. */
export interface StartNotice {
  kind: 'reused' | 'already_running';
  taskId: string;
}

/**
 * A start the pipeline's start policy answered with an existing run, in words; `explanation` is the pipeline's own
 * (e.g. which field computes it again).
 */
export function describeStartNotice(notice: StartNotice, explanation?: string): string {
  const said =
    notice.kind === 'reused'
      ? 'Nothing new was started: a completed run already published this input, and its results are reused.'
      : 'Nothing new was started: a run with this input is already in progress. Follow that run instead.';
  return explanation ? `${said} ${explanation}` : said;
}
