/**
 * What the run page needs to operate on a run, as plain functions: the page binds them to its server actions
 * (app/runs/[id]/run-page.tsx) and passes them only to operators, so components here stay free of app/ imports.
 */
import type { ActionState } from '@/lib/auth/action-state';
import type { OperationKind } from '@/lib/console/operation-kinds';

export interface OperationRequest {
  kind: OperationKind;
  taskId: string;
  stepName?: string;
  /** The reason, or for resolve the note. */
  reason: string;
  /** complete_step: the result as JSON text. */
  result?: string;
}

export type OperationResult = ActionState<string, string[]>;

/** What the complete-manually dialog shows: the step's result schema (JSON Schema) and its last successful result. */
export interface ResultTemplate {
  schema: string | null;
  example: string | null;
}

export interface RunOperations {
  preview(request: Omit<OperationRequest, 'reason'>): Promise<OperationResult>;
  run(request: OperationRequest): Promise<OperationResult>;
  resultTemplate(request: { taskId: string; stepName: string }): Promise<ActionState<string, ResultTemplate>>;
}
