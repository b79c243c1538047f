'use server';
/**
 * Operator actions on a failure group (/failures): thin adapters — role check and zod (authorizedAction) → the group
 * preview or operation in lib/console/failures.ts, where each step is its own audited run operation → revalidate.
 */
import { revalidatePath } from 'next/cache';
import { getDb } from '@/lib/database';
import { authorizedAction } from '@/lib/auth/guards';
import { appRegistry } from '@/lib/runtime/registry';
import { describeGroupOperation, groupOperationSchema, groupPreviewSchema, previewGroupOperation, runGroupOperation } from '@/lib/console/failures';

export const previewGroupOperationAction = authorizedAction('operator', groupPreviewSchema, async (input) => ({
  message: '',
  result: await previewGroupOperation(getDb(), input),
}));

export const runGroupOperationAction = authorizedAction('operator', groupOperationSchema, async (input, principal) => {
  const result = await runGroupOperation(getDb(), appRegistry(), principal, input);
  revalidatePath('/failures');
  revalidatePath('/runs');
  for (const run of new Set(result.affected.map((step) => step.run))) revalidatePath(`/runs/${run}`);
  return { message: describeGroupOperation(input.kind, result), result };
});
