/**
 * An event's payload as readers see it: the stored payload with the task's namespace and pipeline name, the task id
 * and the step name put back. The hot events (step.started, step.completed: drizzle/0036) do not store these — the
 * row and its task already say them — so each step writes less; older rows that do carry them keep their own values
 * (the stored payload wins). `e` is the task_events row, `t` its task, joined with LEFT JOIN so an event is never
 * dropped for a missing task.
 */
export const EVENT_PAYLOAD_SQL = `jsonb_strip_nulls(jsonb_build_object('namespace', t.namespace, 'taskName', t.name, 'taskId', e.task_id,
                                         'stepName', e.step_name)) || e.payload`;
