/** A registry of pipeline definitions keyed by namespace/name/version. One per process, built by its owner. */
import { NotFoundError, PipelineDefinitionError } from './errors';
import type { PipelineDefinition } from './types';

export interface PipelineRegistry {
  /** Throws if the same namespace/name/version is already registered. */
  register<TContext>(definition: PipelineDefinition<TContext>): void;
  /** Without a version: the highest version registered (numeric-aware comparison, so 1.10.0 > 1.9.0). */
  get(namespace: string, name: string, version?: string): PipelineDefinition | undefined;
  /** Like get, but throws NotFoundError. */
  require(namespace: string, name: string, version?: string): PipelineDefinition;
  list(): PipelineDefinition[];
}

const key = (namespace: string, name: string, version: string) => `${namespace}/${name}@${version}`;

const compareVersions = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

export function createRegistry(): PipelineRegistry {
  const definitions = new Map<string, PipelineDefinition>();

  const get = (namespace: string, name: string, version?: string) => {
    if (version !== undefined) return definitions.get(key(namespace, name, version));
    const candidates = [...definitions.values()].filter((d) => d.namespace === namespace && d.name === name);
    return candidates.sort((a, b) => compareVersions(b.version, a.version))[0];
  };

  return {
    register(definition) {
      const id = key(definition.namespace, definition.name, definition.version);
      if (definitions.has(id)) throw new PipelineDefinitionError(`Pipeline ${id} is already registered`);
      // The registry hands definitions to code that knows nothing of their context type.
      definitions.set(id, definition as PipelineDefinition);
    },
    get,
    require(namespace, name, version) {
      const definition = get(namespace, name, version);
      if (!definition) {
        throw new NotFoundError(`No pipeline ${namespace}/${name}${version ? `@${version}` : ''} is registered`);
      }
      return definition;
    },
    list: () => [...definitions.values()],
  };
}
