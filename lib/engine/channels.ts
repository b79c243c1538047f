/** NOTIFY channel names: the contract between the engine's writers, its workers and live views. */

/**
 * Sent only when steps became claimable (launch, completion, retry, operator action). Payload: how many, as
 * `"3"`; or `"1@<epoch ms>"` for a retry that becomes claimable at that time.
 * The SQL functions of drizzle/0009_engine_functions.sql use these channel names literally.
 */
export const READY_CHANNEL = 'nightshift_ready';
/** Payload: task id. Something about the task changed (an event was written); live views refresh. */
export const EVENTS_CHANNEL = 'nightshift_events';
/**
 * Payload: empty. The fan-out created event deliveries (drizzle/0019_event_deliveries.sql), or an operator resent a
 * dead one: dispatchers claim them.
 */
export const DELIVERIES_CHANNEL = 'nightshift_deliveries';
/** Payload: task id. The task was cancelled; workers abort its running attempts at once. */
export const CANCEL_CHANNEL = 'nightshift_cancel';
