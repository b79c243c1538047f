/**
 * What a claimed step asks of the worker, decided from what the run pinned (its row) and the worker's registry:
 * run a handler (a plain step, or a map child with its item), complete a mapped step with its children's results
 * (its fan-in needs no handler), or fail at once with the reason (a version this worker cannot run, a list that
 * cannot be mapped).
 */
import type { ClaimedStep } from './claim-steps';
import { mapChildName } from './map-names';
import { MapListError, NotAnAncestorError, PermanentError, PipelineVersionRetiredError } from './errors';
import type { PipelineRegistry } from './registry';
import type { JsonValue, NormalizedStep } from './types';

export type StepInvocation =
  | { kind: 'run'; step: NormalizedStep; results: Readonly<Record<string, JsonValue>>; item: JsonValue | undefined; mapIndex: number | null }
  | { kind: 'complete'; result: JsonValue[] }
  | { kind: 'fail'; error: PermanentError };

const shortHash = (hash: string) => (hash ? hash.slice(0, 12) : 'unrecorded');

export function invocationOf(registry: PipelineRegistry, claim: ClaimedStep): StepInvocation {
  const label = `${claim.namespace}/${claim.pipelineName}@${claim.version}`;
  const definition = registry.get(claim.namespace, claim.pipelineName, claim.version);
  // A map child runs its mapped step's handler.
  const stepName = claim.mapParent ?? claim.stepName;
  const step = definition?.step(stepName);
  if (!definition || !step) {
    const served = registry.get(claim.namespace, claim.pipelineName);
    return {
      kind: 'fail',
      error: new PipelineVersionRetiredError(
        `Step "${stepName}" of this run (${label}, definition ${shortHash(claim.definitionHash)}) has no handler in this worker's ` +
          (definition
            ? `${label} (definition ${shortHash(definition.definitionHash)}): the version was changed in place after the run started. `
            : `registry, which serves ${served ? `${served.namespace}/${served.name}@${served.version}` : 'no version of the pipeline'}. `) +
          'Deploy the run\'s version again (keep it registered until its runs finish), or resolve the step by hand.',
      ),
    };
  }

  if (claim.mapsOver !== null && claim.mapParent === null) {
    if (claim.mapItems === null) return { kind: 'fail', error: mapListProblem(claim) };
    // The fan-in: the children's results in item order (a child resolved by hand without a result gives null).
    return {
      kind: 'complete',
      result: Array.from({ length: claim.mapItems }, (_, index) => claim.results[mapChildName(claim.stepName, index)] ?? null),
    };
  }

  return {
    kind: 'run',
    step,
    results: ancestorResults(claim.stepName, claim.readable, claim.results),
    item: claim.mapParent === null ? undefined : claim.mapItem,
    mapIndex: claim.mapIndex,
  };
}

function mapListProblem(claim: ClaimedStep): MapListError {
  const list = claim.mapsOver === null ? undefined : claim.results[claim.mapsOver];
  const prefix = `Step "${claim.stepName}" maps over the result of "${claim.mapsOver}"`;
  if (!Array.isArray(list)) {
    const kind = typeof list;
    const got = list === undefined || list === null ? 'no result (was it resolved by hand?)' : `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
    return new MapListError(`${prefix}, which must be a list; it is ${got}`);
  }
  return new MapListError(`${prefix}: ${list.length.toLocaleString('en')} items, more than its maxItems allows; split the list or raise maxItems`);
}

/** Members every object answers (a Promise check, JSON.stringify, inspection): never taken for a step name. */
const OBJECT_MEMBERS = new Set(['then', 'toJSON', 'constructor', 'valueOf', 'toString', 'hasOwnProperty', 'inspect', 'asymmetricMatch', '$$typeof']);

/**
 * The results a handler may read: its ancestors' (a step without a stored result is absent). Reading any other step
 * throws, so a missing dependency is found on the first run instead of reading undefined.
 */
function ancestorResults(stepName: string, readable: readonly string[], results: Record<string, JsonValue>): Readonly<Record<string, JsonValue>> {
  const allowed = new Set(readable.filter((name) => !name.startsWith(`${stepName}[`)));
  const visible: Record<string, JsonValue> = {};
  for (const name of allowed) {
    const result = results[name];
    if (result !== undefined) visible[name] = result;
  }
  return new Proxy(visible, {
    get(target, property, receiver) {
      if (typeof property === 'string' && !allowed.has(property) && !OBJECT_MEMBERS.has(property)) {
        throw new NotAnAncestorError(
          `Step "${stepName}" read the result of "${property}", which is not one of its ancestors ` +
            `(it may read ${allowed.size > 0 ? [...allowed].map((name) => `"${name}"`).join(', ') : 'none: it has no dependencies'}). ` +
            'Add the step to its dependsOn, directly or through a dependency.',
        );
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
