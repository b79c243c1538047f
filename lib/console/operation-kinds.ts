/**
 * The operator operations the run page offers, as data both the dialogs (client) and the actions (server) read:
 * what each is called, whether it targets a step, and how its preview reads. Safe to import from client code.
 */
export const OPERATION_KINDS = ['retry_step', 'retry_failed', 'rerun_from_step', 'resolve_step', 'complete_step', 'cancel_task'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

interface OperationCopy {
  /** Button and dialog title. */
  label: string;
  /** The dialog's two buttons, each naming what it does (a bare "Cancel" next to "Cancel run" says nothing). */
  confirmLabel: string;
  dismissLabel: string;
  /** Heading over the preview's step list. */
  previewHeading: string;
  /** Shown when the preview lists no steps. */
  emptyPreview: string;
  targetsStep: boolean;
  /** Resolve needs a note saying what was done by hand; the others a reason. */
  noteRequired: boolean;
  tone: 'primary' | 'danger';
}

export const OPERATION_COPY: Record<OperationKind, OperationCopy> = {
  retry_step: {
    label: 'Retry',
    confirmLabel: 'Retry step',
    dismissLabel: 'Close',
    previewHeading: 'These steps will run again',
    emptyPreview: 'No step would run again.',
    targetsStep: true,
    noteRequired: false,
    tone: 'primary',
  },
  retry_failed: {
    label: 'Retry all failed',
    confirmLabel: 'Retry all failed',
    dismissLabel: 'Close',
    previewHeading: 'These steps will run again',
    emptyPreview: 'No step would run again.',
    targetsStep: false,
    noteRequired: false,
    tone: 'primary',
  },
  rerun_from_step: {
    label: 'Rerun from here',
    confirmLabel: 'Rerun from here',
    dismissLabel: 'Keep the results',
    previewHeading: 'These steps will run again (their results are discarded)',
    emptyPreview: 'No step would run again.',
    targetsStep: true,
    noteRequired: false,
    tone: 'primary',
  },
  resolve_step: {
    label: 'Resolve manually',
    confirmLabel: 'Mark as resolved',
    dismissLabel: 'Close',
    previewHeading: 'The step is marked done; these steps will then run',
    emptyPreview: 'The step is marked done; no other step needs to run.',
    targetsStep: true,
    noteRequired: true,
    tone: 'primary',
  },
  complete_step: {
    label: 'Complete manually',
    confirmLabel: 'Complete with this result',
    dismissLabel: 'Close',
    previewHeading: 'The step completes with your result; these steps will then run',
    emptyPreview: 'The step completes with your result; no other step needs to run.',
    targetsStep: true,
    noteRequired: false,
    tone: 'primary',
  },
  cancel_task: {
    label: 'Cancel run',
    confirmLabel: 'Cancel run',
    dismissLabel: 'Keep running',
    previewHeading: 'These steps will be cancelled',
    emptyPreview: 'No step is left to cancel.',
    targetsStep: false,
    noteRequired: false,
    tone: 'danger',
  },
};
