'use client';
/** Binds the run page's server actions to the view; viewers get a view without them (and the server refuses anyway). */
import { RunView, type RunViewProps } from '@/components/runs/run-view';
import type { RunOperations } from '@/components/runs/run-operations';
import { idleState } from '@/lib/auth/action-state';
import {
  cancelTaskAction,
  completeStepAction,
  resultTemplateAction,
  previewOperationAction,
  rerunFromStepAction,
  resolveStepAction,
  retryFailedStepsAction,
  retryStepAction,
} from './actions';

const operations: RunOperations = {
  preview: (request) => previewOperationAction(idleState(), request),
  resultTemplate: (request) => resultTemplateAction(idleState(), request),
  run: ({ kind, taskId, stepName = '', reason, result = '' }) => {
    switch (kind) {
      case 'retry_step':
        return retryStepAction(idleState(), { taskId, stepName, reason });
      case 'retry_failed':
        return retryFailedStepsAction(idleState(), { taskId, reason });
      case 'rerun_from_step':
        return rerunFromStepAction(idleState(), { taskId, stepName, reason });
      case 'resolve_step':
        return resolveStepAction(idleState(), { taskId, stepName, note: reason });
      case 'complete_step':
        return completeStepAction(idleState(), { taskId, stepName, reason, result });
      case 'cancel_task':
        return cancelTaskAction(idleState(), { taskId, reason });
    }
  },
};

export function RunPage({ canOperate, ...props }: Omit<RunViewProps, 'operations'> & { canOperate: boolean }) {
  return <RunView {...props} operations={canOperate ? operations : undefined} />;
}
