/**
 * A pipeline is a plug-in at the edge: generic code sees pipelines only through the PipelineModule contract that
 * lib/runtime (the composition root) hands it. Two rules:
 *  - only lib/runtime (and a pipeline's own folder) imports lib/pipelines/*;
 *  - no module outside lib/pipelines/<name>/ names a registered pipeline or one of its steps in a string, nor one of
 *    its input fields (those with an underscore: plain words such as `months` say nothing of a pipeline) in code.
 * Tests, fixtures, benchmarks, e2e and scripts are left out. Comments are left out: they may say what a module serves.
 *
 * The debt left when the rules were written (customer_analytics was once the only pipeline and generic code grew
 * around it) is paid: no exception is listed, so any violation fails.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { buildRegistry } from '@/lib/runtime/registry';
import { importEdges, isTestFile, listSources, ROOT } from './import-graph';

const GENERIC_FOLDERS = ['app', 'lib', 'components', 'db'];


const pipelineFolderOf = (file: string) => /^lib\/pipelines\/[^/]+\//.exec(file)?.[0] ?? null;
const isExempt = (file: string) => isTestFile(file) || file.startsWith('lib/runtime/') || pipelineFolderOf(file) !== null;

function inputFieldsOf(schema: ZodType): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** The names generic code must not use, each with what it names. */
function pipelineNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const definition of buildRegistry().list()) {
    names.set(definition.name, `pipeline ${definition.name}`);
    for (const step of definition.steps) names.set(step.name, `step of ${definition.name}`);
  }
  return names;
}

function inputFields(): Set<string> {
  return new Set(buildRegistry().list().flatMap((definition) => inputFieldsOf(definition.input)).filter((field) => field.includes('_')));
}

const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
const stringLiterals = (source: string) => [...source.matchAll(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g)].map((match) => match[0]);

function violations(): Record<string, string[]> {
  const names = pipelineNames();
  const fields = inputFields();
  const files: string[] = [];
  for (const folder of GENERIC_FOLDERS) listSources(folder, files);
  const importers = new Set(
    importEdges(GENERIC_FOLDERS, false)
      .filter((edge) => edge.to.startsWith('lib/pipelines/') && pipelineFolderOf(edge.from) !== pipelineFolderOf(edge.to))
      .map((edge) => edge.from),
  );
  const found: Record<string, string[]> = {};
  for (const file of files.sort()) {
    if (isExempt(file)) continue;
    const code = withoutComments(readFileSync(path.join(ROOT, file), 'utf8'));
    const hits = new Set<string>();
    for (const literal of stringLiterals(code)) {
      for (const token of literal.match(/[A-Za-z0-9_]+/g) ?? []) if (names.has(token)) hits.add(token);
    }
    for (const field of fields) if (new RegExp(`\\b${field}\\b`).test(code)) hits.add(field);
    if (importers.has(file)) hits.add('(imports lib/pipelines)');
    if (hits.size > 0) found[file] = [...hits].sort();
  }
  return found;
}

describe('the pipeline boundary', () => {
  it('generic code neither imports a pipeline nor names one, its steps or its input fields', () => {
    const found = violations();
    if (process.env.PRINT_BOUNDARY) console.log(`BOUNDARY${JSON.stringify(found)}`);
    expect(found, 'take the pipeline from lib/runtime through the PipelineModule contract (lib/platform/pipeline-module.ts)').toEqual({});
  });
});
