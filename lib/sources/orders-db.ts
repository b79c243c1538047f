/**
 * How the orders database fails, in the pipeline's terms: a PostgreSQL error (it carries a SQLSTATE) or a broken
 * connection turned into a SourceError that says whether a retry can help. The extract step reads the orders by
 * COPY (./orders-copy.ts); this file only classifies what went wrong.
 */
import pg from 'pg';
import { SourceError } from './source-error';

/**
 * SQLSTATE classes worth a retry: connection exceptions (08), operator intervention such as a
 * terminated backend or a cancelled statement (57), insufficient resources (53), and transaction
 * rollbacks such as serialization failures and deadlocks (40).
 */
const RETRYABLE_SQLSTATE_CLASSES = ['08', '57', '53', '40'];

/** An error the server sent (it carries a SQLSTATE), as opposed to a driver or socket error. */
function isDatabaseError(error: unknown): error is pg.DatabaseError & { code: string } {
  return error instanceof pg.DatabaseError && typeof error.code === 'string';
}

export function toOrdersDbError(error: unknown): SourceError {
  if (error instanceof SourceError) return error;
  if (isDatabaseError(error)) {
    return new SourceError(`orders_db: ${error.message} (SQLSTATE ${error.code})`, {
      source: 'orders_db',
      kind: 'database',
      retryable: RETRYABLE_SQLSTATE_CLASSES.includes(error.code.slice(0, 2)),
      cause: error,
    });
  }
  // No SQLSTATE: the connection itself broke (reset, refused, "Connection terminated unexpectedly").
  const message = error instanceof Error ? error.message : String(error);
  return new SourceError(`orders_db: ${message}`, { source: 'orders_db', kind: 'network', retryable: true, cause: error });
}
