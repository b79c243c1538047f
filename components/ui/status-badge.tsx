/** A run state as icon + text label + colour, so the state reads the same without colour vision. */
import type { ComponentPropsWithRef } from 'react';
import { cn } from './cn';
import { stateIcons } from './icons';
import { stateAppearance, type RunState } from './status';

export function StatusBadge({ state, className, ...props }: ComponentPropsWithRef<'span'> & { state: RunState }) {
  const { label, className: colours } = stateAppearance[state];
  const StateIcon = stateIcons[state];
  return (
    <span
      data-state={state}
      className={cn(
        'inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold whitespace-nowrap',
        colours,
        className,
      )}
      {...props}
    >
      <StateIcon className={cn('size-3.5', state === 'running' && 'motion-safe:animate-pulse')} />
      {label}
    </span>
  );
}
