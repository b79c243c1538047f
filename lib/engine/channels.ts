/** NOTIFY channel names: the contract between the engine's writers, its workers and live views. */

/** Payload empty: a step may have become claimable (launch, completion, retry scheduled, operator action). */
export const READY_CHANNEL = 'nightshift_ready';
/** Payload: task id. Something about the task changed (an event was written); live views refresh. */
export const EVENTS_CHANNEL = 'nightshift_events';
/** Payload: task id. The task was cancelled; workers abort its running attempts at once. */
export const CANCEL_CHANNEL = 'nightshift_cancel';
