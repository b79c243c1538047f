/**
 * When a backfill should be done, from the step-duration history: one run is expected to take the critical path
 * of the pipeline's step medians (lib/scheduling/eta.ts); runs in progress need what is left of theirs; waiting
 * days fill the `maxParallel` slots as they free, oldest first. Pure, so the rule is tested on its own.
 */
export function estimateBackfillRemainingMs(input: { runningRemainingMs: readonly number[]; waiting: number; perRunMs: number; maxParallel: number }): number {
  const slots = Array.from({ length: Math.max(1, input.maxParallel) }, (_, index) => input.runningRemainingMs[index] ?? 0);
  // More unfinished runs than slots (max_parallel lowered, or a run retried by hand): they run anyway.
  const addToEarliest = (ms: number) => {
    const earliest = slots.indexOf(Math.min(...slots));
    slots[earliest] = (slots[earliest] ?? 0) + ms;
  };
  for (const extra of input.runningRemainingMs.slice(slots.length)) addToEarliest(extra);
  for (let day = 0; day < input.waiting; day += 1) addToEarliest(input.perRunMs);
  return Math.round(Math.max(...slots));
}
