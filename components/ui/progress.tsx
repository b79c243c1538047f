/** A determinate progress bar with an accessible name and value. */
import { cn } from './cn';

export interface ProgressProps {
  /** Completed amount, clamped to 0..max. */
  value: number;
  max?: number;
  /** Accessible name, e.g. "Steps completed". */
  label: string;
  /** Text shown beside the bar and announced as the value (default: the percentage). */
  valueText?: string;
  className?: string;
}

export function Progress({ value, max = 100, label, valueText, className }: ProgressProps) {
  const safeMax = max > 0 ? max : 1;
  const clamped = Math.min(Math.max(value, 0), safeMax);
  const percent = Math.round((clamped / safeMax) * 100);
  const text = valueText ?? `${percent}%`;
  return (
    <div className={cn('flex items-center gap-3', className)}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={safeMax}
        aria-valuenow={clamped}
        aria-valuetext={text}
        className="h-2 flex-1 overflow-hidden rounded-full bg-surface-muted ring-1 ring-border ring-inset"
      >
        <div className="h-full rounded-full bg-accent transition-[width] duration-300" style={{ width: `${percent}%` }} />
      </div>
      <span className="min-w-10 text-right text-xs tabular-nums text-foreground-muted">{text}</span>
    </div>
  );
}
