'use server';
/**
 * Starting a run from the form (operator): the submission is checked by the chosen pipeline's own input schema,
 * then started the way POST /api/pipelines/{name}/runs starts it — through the pipeline's start policy when it has
 * one (customer_analytics reuses a published window or joins a running one), else a new run of its newest version.
 * A created run opens its page; a reused or joined one is explained with a link.
 */
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/lib/database';
import { recordAudit } from '@/lib/audit/record';
import { UserFacingError } from '@/lib/auth/errors';
import { authorizedAction } from '@/lib/auth/guards';
import { auditActorOf } from '@/lib/auth/principal-types';
import { describeStartNotice, pipelineStartFormSchema, type StartNotice } from '@/lib/console/pipeline-start';
import { startPipelineRun } from '@/lib/platform/pipelines-api';
import { appRegistry, pipelineModules } from '@/lib/runtime/registry';

/** The registry is read when a submission arrives, not when this module loads. */
const pipelineStartForm = z.lazy(() => pipelineStartFormSchema(appRegistry().list()));

export const startPipelineRunAction = authorizedAction<typeof pipelineStartForm, StartNotice>('operator', pipelineStartForm, async (request, principal) => {
  const db = getDb();
  const pipeline = `${request.namespace}/${request.name}`;
  const started = await startPipelineRun(db, appRegistry(), pipelineModules(), {
    pipeline,
    input: request.context,
    initiator: principal.label,
    reason: 'started from the console',
  });
  // The form found the pipeline a moment ago; only a redeploy in between could lose it.
  if (started.kind !== 'started') throw new UserFacingError(started.message, 409);
  const { result } = started;
  // The form checked the same schema a moment ago; a refusal now comes from a rule that depends on the clock.
  if (!result.ok) throw new UserFacingError(result.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), 422);
  if (result.created) {
    await recordAudit(db.db, { ...auditActorOf(principal), action: 'run.start', target: result.taskId, details: { pipeline, via: 'console' } });
    revalidatePath('/runs');
    redirect(`/runs/${result.taskId}`);
  }
  const notice: StartNotice = { kind: result.reused ? 'reused' : 'already_running', taskId: result.taskId };
  return { message: describeStartNotice(notice, result.explanation), result: notice };
});
