/** How a mapped step's children are named: `<step>[<index>]`. One place, so readers group children under their step. */

const CHILD_NAME = /^(.*)\[(\d+)\]$/;

/** The child of mapped step `step` at `index`. */
export const mapChildName = (step: string, index: number) => `${step}[${index}]`;

/** The mapped step a child belongs to, or the name itself for any other step: what metrics and summaries group by. */
export function groupingStepName(stepName: string): string {
  return CHILD_NAME.exec(stepName)?.[1] ?? stepName;
}
