/**
 * An engine event the pipeline monitor failed on every attempt is listed under "Undelivered events" on /alerts;
 * an operator's Resend delivers it once (the server's own dispatcher), and the row leaves the list.
 */
import { expect, test } from '@playwright/test';
import { pageAs, startRunViaApi, utcDay } from './console-fixtures';
import { openE2eDatabase } from './e2e-database';

test('an undelivered event appears on /alerts and Resend delivers it', async ({ browser }) => {
  const db = openE2eDatabase();
  const operator = await pageAs(browser, 'operator');
  try {
    const taskId = await startRunViaApi(operator, utcDay(-40));
    let event: string | undefined;
    await expect
      .poll(async () => {
        const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM task_events WHERE task_id = $1 AND name = 'step.started' ORDER BY id LIMIT 1`, [taskId]);
        event = rows[0]?.id;
        return event;
      }, { timeout: 20_000 })
      .toBeTruthy();
    // The state the monitor leaves after failing every attempt at this event.
    await db.pool.query(
      `INSERT INTO event_deliveries (subscriber, event_id, task_id, event_name, attempts, last_error, dead_at)
       VALUES ('pipeline-monitor', $1, $2, 'step.started', 10, 'alert store unreachable (e2e)', now())
       ON CONFLICT (event_id, subscriber) DO UPDATE
         SET attempts = 10, last_error = excluded.last_error, dead_at = now(), delivered_at = NULL`,
      [event, taskId],
    );

    await operator.goto('/alerts');
    await expect(operator.getByRole('heading', { name: 'Undelivered events' })).toBeVisible();
    const row = operator.getByTestId('dead-events-table').getByRole('row').filter({ hasText: 'alert store unreachable (e2e)' });
    await expect(row).toContainText('pipeline-monitor');
    await expect(row).toContainText('step.started');
    await row.getByRole('button', { name: /^Resend event step\.started/ }).click();
    // Resent, it is no longer a dead letter: the page re-renders without it.
    await expect(row).toHaveCount(0);

    await expect
      .poll(async () => {
        const { rows } = await db.pool.query<{ delivered: boolean; dead: boolean }>(
          `SELECT delivered_at IS NOT NULL AS delivered, dead_at IS NOT NULL AS dead FROM event_deliveries WHERE event_id = $1 AND subscriber = 'pipeline-monitor'`,
          [event],
        );
        return rows[0];
      }, { timeout: 15_000 })
      .toEqual({ delivered: true, dead: false });
    await operator.reload();
    await expect(operator.getByRole('heading', { name: 'Undelivered events' })).toBeVisible();
    await expect(operator.getByText('alert store unreachable (e2e)')).toHaveCount(0);
  } finally {
    await operator.context().close();
    await db.close();
  }
});
