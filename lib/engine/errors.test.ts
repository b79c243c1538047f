/** Recorded error classes survive minification: they come from `name`, not from the (renamed) constructor. */
import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError, serializeError } from './errors';

describe('serializeError', () => {
  it('records the class name even when the constructor was renamed by a minifier', () => {
    // What a production bundle does to `class RetryableError`: the constructor is called `t`.
    const minified = { t: class extends RetryableError {} }.t;
    expect(minified.name).toBe('t');
    expect(serializeError(new minified('503 from the CRM'))).toMatchObject({ errorClass: 'RetryableError', retryable: true });
  });

  it('keeps a subclass name that the subclass sets itself', () => {
    class CrmTimeoutError extends PermanentError {
      override name = 'CrmTimeoutError';
    }
    expect(serializeError(new CrmTimeoutError('too slow')).errorClass).toBe('CrmTimeoutError');
  });

  it('falls back to the constructor for errors that keep the default name', () => {
    expect(serializeError(new TypeError('x')).errorClass).toBe('TypeError');
    expect(serializeError(new Error('x')).errorClass).toBe('Error');
    expect(serializeError('text').errorClass).toBe('NonError');
  });
});
