/** pg_stat_statements as a profiler: which statements took the server's time during a benchmark's timed window. */
import pg from 'pg';

const TOP_STATEMENTS = Number(process.env.BENCH_TOP_STATEMENTS ?? 10);

// A type alias, not an interface: it must fit the JSON details' index signature.
export type StatementStat = {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
};

/** Resets pg_stat_statements; returns a reader of what ran since, or undefined when the server lacks the extension. */
// A type alias, not an interface: it must fit the JSON details' index signature.
export type StatementProfile = {
  top: StatementStat[];
  /** Every statement execution in the window (a SQL function's inner statements are not counted: one call is one). */
  totalCalls: number;
};

export async function statementProfiler(url: string): Promise<(() => Promise<StatementProfile>) | undefined> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const installed = await client.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
    if (installed.rowCount === 0) return undefined;
    await client.query('SELECT pg_stat_statements_reset()');
  } finally {
    await client.end();
  }
  return async () => {
    const reader = new pg.Client({ connectionString: url });
    reader.on('error', () => undefined);
    await reader.connect();
    try {
      const { rows } = await reader.query<StatementStat>(
        `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query, calls::int AS calls,
                round(total_exec_time::numeric, 1)::float8 AS "totalMs", round(mean_exec_time::numeric, 3)::float8 AS "meanMs"
           FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          ORDER BY total_exec_time DESC LIMIT $1`,
        [TOP_STATEMENTS],
      );
      const total = await reader.query<{ calls: number }>(
        `SELECT coalesce(sum(calls), 0)::float8 AS calls FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      return { top: rows, totalCalls: total.rows[0]?.calls ?? 0 };
    } finally {
      await reader.end();
    }
  };
}

