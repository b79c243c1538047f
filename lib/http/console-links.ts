/**
 * Paths into the console that several modules build — the pages themselves and the alerts that link to them — so a
 * change to a page's parameters is made once. Plain functions with no imports: safe from any folder and the browser.
 */

/** A failure group on /failures (`pipeline` is `namespace/name`); without step or error class, the wider list. */
export function failureGroupPath(group: { pipeline: string; step?: string; errorClass?: string }): string {
  const params = new URLSearchParams({ pipeline: group.pipeline });
  if (group.step) params.set('step', group.step);
  if (group.errorClass) params.set('error_class', group.errorClass);
  return `/failures?${params.toString()}`;
}
