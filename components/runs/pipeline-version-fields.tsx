'use client';
/**
 * The /runs filter's pipeline and version selects. The version list follows the chosen pipeline; with no pipeline
 * the version select is disabled (a disabled field is not submitted), since version names repeat across pipelines.
 * Without JavaScript the versions are those of the pipeline the page was loaded with.
 */
import { useState } from 'react';
import type { PipelineVersions } from '@/lib/console/run-filters';

export function PipelineVersionFields({
  catalog,
  pipeline,
  version,
  selectClassName,
}: {
  catalog: readonly PipelineVersions[];
  pipeline: string | undefined;
  version: string | undefined;
  selectClassName: string;
}) {
  const [chosen, setChosen] = useState(pipeline ?? '');
  const versions = catalog.find((entry) => entry.pipeline === chosen)?.versions ?? [];
  return (
    <>
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-pipeline" className="text-xs font-medium text-foreground-muted">
          Pipeline
        </label>
        <select id="filter-pipeline" name="pipeline" value={chosen} onChange={(event) => setChosen(event.target.value)} className={selectClassName}>
          <option value="">Any pipeline</option>
          {catalog.map((entry) => (
            <option key={entry.pipeline} value={entry.pipeline}>
              {entry.pipeline}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-version" className="text-xs font-medium text-foreground-muted">
          Version
        </label>
        <select
          // A new pipeline starts from "Any version" rather than keeping a version it may not have.
          key={chosen}
          id="filter-version"
          name="version"
          defaultValue={chosen === pipeline ? (version ?? '') : ''}
          disabled={versions.length === 0}
          title={versions.length === 0 ? 'Choose a pipeline first: version names repeat across pipelines' : undefined}
          className={`${selectClassName} disabled:opacity-60`}
        >
          <option value="">Any version</option>
          {versions.map((name, index) => (
            <option key={name} value={name}>
              v{name}
              {index === 0 ? ' (newest)' : ''}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}
