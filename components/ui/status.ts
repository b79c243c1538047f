/**
 * The engine's run states as the UI shows them: label, one-line meaning, and the Tailwind classes of their
 * colour tokens (written out in full so Tailwind finds them). The states themselves are the schema's enums (types
 * only, so no schema code reaches the browser): a state added there fails the type check here until it has an
 * appearance. Step states are a superset of task states.
 */
import type { StepStatus, TaskStatus } from '@/db/schema/engine';

export type RunState = StepStatus | TaskStatus;

interface StateAppearance {
  label: string;
  description: string;
  /** Text colour and badge tint. */
  className: string;
}

export const stateAppearance: Record<RunState, StateAppearance> = {
  pending: {
    label: 'Pending',
    description: 'Waiting for its dependencies or a free worker.',
    className: 'text-status-pending bg-status-pending-tint',
  },
  running: {
    label: 'Running',
    description: 'A worker is executing it now.',
    className: 'text-status-running bg-status-running-tint',
  },
  retrying: {
    label: 'Retrying',
    description: 'The last attempt failed; another is scheduled after a back-off.',
    className: 'text-status-retrying bg-status-retrying-tint',
  },
  completed: {
    label: 'Completed',
    description: 'Finished successfully.',
    className: 'text-status-completed bg-status-completed-tint',
  },
  failed: {
    label: 'Failed',
    description: 'Out of retries, or failed with an error that cannot be retried.',
    className: 'text-status-failed bg-status-failed-tint',
  },
  cancelled: {
    label: 'Cancelled',
    description: 'Stopped by an operator before it finished.',
    className: 'text-status-cancelled bg-status-cancelled-tint',
  },
  blocked: {
    label: 'Blocked',
    description: 'A step it depends on failed or was cancelled; retrying that step lets this one run.',
    className: 'text-status-blocked bg-status-blocked-tint',
  },
  resolved_manually: {
    label: 'Resolved manually',
    description: 'An operator marked it done by hand so the run could continue.',
    className: 'text-status-resolved-manually bg-status-resolved-manually-tint',
  },
};
