/** Badge: a short label. For engine states use StatusBadge, which adds the icon and the state's colour. */
import type { ComponentPropsWithRef } from 'react';
import { cn } from './cn';

const tones = {
  neutral: 'border-border-strong bg-surface-muted text-foreground',
  accent: 'border-transparent bg-accent text-accent-foreground',
  outline: 'border-border-strong text-foreground-muted',
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({ tone = 'neutral', className, ...props }: ComponentPropsWithRef<'span'> & { tone?: BadgeTone }) {
  return (
    <span
      className={cn('inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap', tones[tone], className)}
      {...props}
    />
  );
}
