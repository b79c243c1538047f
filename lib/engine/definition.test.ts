/** Acceptance 9 (unit): definition-time validation of the DAG and the registry, and the backoff bounds. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { computeBackoffMs, createRegistry, definePipeline, PipelineDefinitionError, type StepDefinition } from '@/lib/engine';

const noop = async () => null;
const pipeline = (steps: StepDefinition[]) =>
  definePipeline({ namespace: 'unit', name: 'dag', version: '1.0.0', description: 'unit', input: z.object({}), steps });

describe('definePipeline', () => {
  it('applies step defaults: retryable, 3 retries, dependsOn as a list', () => {
    const definition = pipeline([
      { name: 'a', handler: noop },
      { name: 'b', dependsOn: 'a', handler: noop, metadata: { severity: 'critical' } },
      { name: 'c', dependsOn: ['a', 'b'], handler: noop, retryable: false, retryLimit: 7, timeoutMs: 100 },
    ]);
    expect(definition.step('a')).toMatchObject({ retryable: true, retryLimit: 3, dependsOn: [], timeoutMs: null });
    expect(definition.step('b')).toMatchObject({ dependsOn: ['a'], metadata: { severity: 'critical' } });
    // A non-retryable step has exactly one attempt, whatever retryLimit says.
    expect(definition.step('c')).toMatchObject({ retryable: false, retryLimit: 0, dependsOn: ['a', 'b'], timeoutMs: 100 });
  });

  it('names the cycle', () => {
    expect(() =>
      pipeline([
        { name: 'start', handler: noop },
        { name: 'a', dependsOn: ['start', 'c'], handler: noop },
        { name: 'b', dependsOn: 'a', handler: noop },
        { name: 'c', dependsOn: 'b', handler: noop },
      ]),
    ).toThrow(/cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/);
    expect(() => pipeline([{ name: 'self', dependsOn: 'self', handler: noop }])).toThrow('cycle: self → self');
  });

  it('rejects an unknown dependency, a duplicate step name and bad limits', () => {
    expect(() => pipeline([{ name: 'a', dependsOn: 'ghost', handler: noop }])).toThrow('step "a" depends on unknown step "ghost"');
    expect(() => pipeline([{ name: 'a', handler: noop }, { name: 'a', handler: noop }])).toThrow('duplicate step name "a"');
    expect(() => pipeline([{ name: 'a', handler: noop, retryLimit: -1 }])).toThrow(PipelineDefinitionError);
    expect(() => pipeline([{ name: 'a', handler: noop, timeoutMs: 0 }])).toThrow(PipelineDefinitionError);
    expect(() => pipeline([])).toThrow('has no steps');
  });
});

describe('registry', () => {
  it('refuses a duplicate namespace/name/version and finds the latest version', () => {
    const registry = createRegistry();
    const make = (version: string) =>
      definePipeline({ namespace: 'ns', name: 'p', version, description: '', input: z.object({}), steps: [{ name: 'a', handler: noop }] });
    registry.register(make('1.9.0'));
    registry.register(make('1.10.0'));
    expect(() => registry.register(make('1.9.0'))).toThrow('ns/p@1.9.0 is already registered');
    expect(registry.get('ns', 'p')?.version).toBe('1.10.0');
    expect(registry.get('ns', 'p', '1.9.0')?.version).toBe('1.9.0');
    expect(registry.get('ns', 'missing')).toBeUndefined();
    expect(registry.list()).toHaveLength(2);
  });
});

describe('computeBackoffMs', () => {
  const settings = { baseMs: 100, capMs: 5_000 };

  it('stays within [ceiling/2, ceiling] where the ceiling doubles per failure', () => {
    for (let failure = 1; failure <= 8; failure += 1) {
      const ceiling = Math.min(5_000, 100 * 2 ** (failure - 1));
      expect(computeBackoffMs(failure, settings, undefined, () => 0)).toBe(ceiling / 2);
      expect(computeBackoffMs(failure, settings, undefined, () => 0.999999)).toBe(Math.round(ceiling * 0.9999995));
      for (let sample = 0; sample < 50; sample += 1) {
        const delay = computeBackoffMs(failure, settings);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('never shrinks from one failure to the next below the cap, and never exceeds the cap', () => {
    for (let sample = 0; sample < 200; sample += 1) {
      // 100·2^5 = 3,200 < 5,000: the first six delays are uncapped, so each is at least the previous one.
      const delays = Array.from({ length: 6 }, (_, index) => computeBackoffMs(index + 1, settings));
      for (let index = 1; index < delays.length; index += 1) expect(delays[index]).toBeGreaterThanOrEqual(delays[index - 1] ?? 0);
      expect(computeBackoffMs(30, settings)).toBeLessThanOrEqual(5_000);
      expect(computeBackoffMs(30, settings)).toBeGreaterThanOrEqual(2_500);
    }
  });

  it('honours retryAfterMs up to the cap', () => {
    expect(computeBackoffMs(1, settings, 1_234)).toBe(1_234);
    expect(computeBackoffMs(1, settings, 60_000)).toBe(5_000);
    expect(computeBackoffMs(3, settings, 0)).toBe(0);
  });
});
