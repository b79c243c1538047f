/**
 * The /runs/backfill form over the backfill request schema: form fields → request, every issue mapped back onto
 * the field that caused it, and the form's defaults (the last 7 days up to yesterday, BACKFILL_MAX_PARALLEL).
 */
import { z } from 'zod';
import { env } from '@/lib/env';
import { addDays, todayUtc } from '@/lib/time/zoned-time';
import type { BackfillFormDefaults } from './form-labels';
import { backfillRequestSchema, MAX_BACKFILL_PARALLEL, type BackfillRequest } from './request';

import { BACKFILL_FORM_FIELDS, BACKFILL_FORM_LABELS, type BackfillFormField } from './form-labels';

export { BACKFILL_FORM_FIELDS, BACKFILL_FORM_LABELS, type BackfillFormField } from './form-labels';

const fieldOf = (path: readonly PropertyKey[]): BackfillFormField =>
  BACKFILL_FORM_FIELDS.find((field) => field === path[0]) ?? 'start_date';

export const backfillFormSchema = z
  .object({
    start_date: z.string().default(''),
    end_date: z.string().default(''),
    max_parallel: z.string().default(''),
    rebuild_published: z.string().optional(),
    reason: z.string().default(''),
  })
  .transform((form, ctx): BackfillRequest => {
    const maxParallel = form.max_parallel.trim() === '' ? undefined : Number(form.max_parallel);
    const request = {
      start_date: form.start_date.trim(),
      end_date: form.end_date.trim(),
      max_parallel: maxParallel,
      rebuild_published: form.rebuild_published !== undefined,
      reason: form.reason,
    };
    const parsed = backfillRequestSchema.safeParse(request);
    if (parsed.success) return request;
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      const empty = (field === 'start_date' || field === 'end_date') && request[field] === '';
      ctx.addIssue({ code: 'custom', path: [field], message: empty ? `Enter the ${BACKFILL_FORM_LABELS[field].toLowerCase()}.` : `${BACKFILL_FORM_LABELS[field]} ${issue.message}.` });
    }
    return z.NEVER;
  });


export function backfillFormDefaults(): BackfillFormDefaults {
  const today = todayUtc();
  return {
    start_date: addDays(today, -7),
    end_date: addDays(today, -1),
    max_parallel: env().BACKFILL_MAX_PARALLEL,
    max_parallel_limit: MAX_BACKFILL_PARALLEL,
    max_date: today,
  };
}
