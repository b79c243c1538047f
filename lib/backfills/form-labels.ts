/** The backfill form's fields, labels and defaults shape: plain data, safe to import from client components. */
export const BACKFILL_FORM_FIELDS = ['start_date', 'end_date', 'max_parallel', 'rebuild_published', 'reason'] as const;
export type BackfillFormField = (typeof BACKFILL_FORM_FIELDS)[number];

export const BACKFILL_FORM_LABELS: Record<BackfillFormField, string> = {
  start_date: 'First day',
  end_date: 'Last day',
  max_parallel: 'Runs at once',
  rebuild_published: 'Also rebuild days that are already published',
  reason: 'Reason',
};

export interface BackfillFormDefaults {
  start_date: string;
  end_date: string;
  max_parallel: number;
  max_parallel_limit: number;
  max_date: string;
}
