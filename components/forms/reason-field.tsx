/**
 * The required reason (or note) of an operator's operation, as every operation dialog asks for it: a labelled
 * textarea whose error is announced politely and tied to it by aria-describedby. What was typed stays when the
 * server refuses it (the caller keeps the value).
 */
export function ReasonField({ id, label, value, onChange, error }: { id: string; label: string; value: string; onChange(value: string): void; error: string | null | undefined }) {
  return (
    <div className="mt-4 flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium">
        {label} (required)
      </label>
      <textarea
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        rows={3}
        required
        aria-describedby={`${id}-error`}
        aria-invalid={error ? true : undefined}
        className="rounded-control border border-border-strong bg-surface px-3 py-2 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-focus"
      />
      <div id={`${id}-error`} aria-live="polite" className="text-sm text-danger">
        {error}
      </div>
    </div>
  );
}
