'use server';
/**
 * Review decisions on dashboard snapshots (operator, audited): publish a held snapshot anyway, discard it, or
 * make a published snapshot the default view. Thin adapters over lib/delivery/publish.ts.
 */
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { KIND_LABELS } from '@/lib/delivery/definition';
import { readDeliveryPolicy } from '@/lib/delivery/policy';
import { discardHeldSnapshot, makeDefaultView, publishHeldSnapshot } from '@/lib/delivery/publish';
import { alertLinkBaseUrl } from '@/lib/monitoring/settings';
import { deliveredPipeline } from '@/lib/runtime/registry';

const reason = z.string().trim().min(1, 'Give a reason.').max(500, 'At most 500 characters.');
const taskReview = z.object({ taskId: z.uuid('Unknown run.'), reason });

function revalidate(taskId?: string) {
  revalidatePath('/');
  if (taskId) revalidatePath(`/runs/${taskId}`);
}

export const publishAnywayAction = authorizedAction('operator', taskReview, async (input, principal) => {
  const pool = getDb().pool;
  const outcome = await publishHeldSnapshot(pool, {
    taskId: input.taskId,
    reason: input.reason,
    actor: auditActorOf(principal),
    policy: await readDeliveryPolicy(pool, deliveredPipeline()),
    routing: { linkBaseUrl: alertLinkBaseUrl() },
  });
  revalidate(input.taskId);
  return {
    message: outcome.isDefaultView
      ? 'Published: it is now the dashboard’s default view.'
      : `Published into the history as a ${KIND_LABELS[outcome.kind].toLowerCase()}; the default view is unchanged.`,
  };
});

export const discardSnapshotAction = authorizedAction('operator', taskReview, async (input, principal) => {
  await discardHeldSnapshot(getDb().pool, {
    taskId: input.taskId,
    reason: input.reason,
    actor: auditActorOf(principal),
    routing: { linkBaseUrl: alertLinkBaseUrl() },
  });
  revalidate(input.taskId);
  return { message: 'Discarded: this snapshot will not be shown.' };
});

export const makeDefaultViewAction = authorizedAction(
  'operator',
  z.object({ snapshotId: z.coerce.number().int().positive('Unknown snapshot.'), taskId: z.uuid('Unknown run.'), reason }),
  async (input, principal) => {
    await makeDefaultView(getDb().pool, { snapshotId: input.snapshotId, reason: input.reason, actor: auditActorOf(principal) });
    revalidate(input.taskId);
    return { message: 'This snapshot is now the default view.' };
  },
);
