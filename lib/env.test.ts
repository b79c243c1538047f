/** RUN_RETENTION_DAYS and CATCH_UP_MAX_AGE_DAYS: defaults, and a clear error naming the variable for values it refuses. */
import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

const settings = (values: Record<string, string>) => parseEnv({ NODE_ENV: 'test', ...values });

describe('RUN_RETENTION_DAYS', () => {
  it('defaults to 100 days and accepts a whole number of days', () => {
    expect(settings({}).RUN_RETENTION_DAYS).toBe(100);
    expect(settings({ RUN_RETENTION_DAYS: '365' }).RUN_RETENTION_DAYS).toBe(365);
  });

  it.each([
    ['0', 'RUN_RETENTION_DAYS: must be at least 1 (day); runs cannot be kept forever, choose a long period instead'],
    ['-5', 'RUN_RETENTION_DAYS: must be at least 1 (day)'],
    ['2.5', 'RUN_RETENTION_DAYS: must be a whole number of days'],
    ['forever', 'RUN_RETENTION_DAYS: must be a whole number of days'],
    ['40000', 'RUN_RETENTION_DAYS: must be at most 36500 (days, about 100 years)'],
  ])('refuses %s', (value, message) => {
    expect(() => settings({ RUN_RETENTION_DAYS: value })).toThrow(message);
  });
});

describe('CATCH_UP_MAX_AGE_DAYS', () => {
  it('defaults to 3 days', () => {
    expect(settings({}).CATCH_UP_MAX_AGE_DAYS).toBe(3);
    expect(settings({ CATCH_UP_MAX_AGE_DAYS: '0' }).CATCH_UP_MAX_AGE_DAYS).toBe(0);
  });

  it('refuses its old name, SCHEDULER_CATCH_UP_DAYS, saying what to set instead', () => {
    expect(() => settings({ SCHEDULER_CATCH_UP_DAYS: '5' })).toThrow('SCHEDULER_CATCH_UP_DAYS: was renamed CATCH_UP_MAX_AGE_DAYS; set that instead');
  });
});
