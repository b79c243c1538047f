/**
 * What /failures needs to operate on a failure group, as plain functions: the page binds them to its server actions
 * (app/failures/failure-groups.tsx) and passes them only to operators, so components here stay free of app/ imports.
 */
import type { ActionState } from '@/lib/auth/action-state';
import type { FailureGroupKey, GroupOperationKind, GroupOperationResult, GroupPreview } from '@/lib/console/failures';

export interface GroupOperations {
  preview(request: FailureGroupKey & { kind: GroupOperationKind }): Promise<ActionState<string, GroupPreview>>;
  run(request: FailureGroupKey & { kind: GroupOperationKind; reason: string }): Promise<ActionState<string, GroupOperationResult>>;
}
