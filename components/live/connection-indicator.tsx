'use client';
/** Shows whether the page updates live, is connecting, or has fallen back to polling (text + dot, announced politely). */
import { cn } from '@/components/ui/cn';
import { POLL_FALLBACK_MS, useConnectionState, type ConnectionState } from './live-updates';

const appearance: Record<ConnectionState, { label: string; dot: string }> = {
  live: { label: 'Live', dot: 'bg-status-completed' },
  connecting: { label: 'Connecting…', dot: 'bg-status-pending' },
  polling: { label: `Reconnecting · refreshing every ${POLL_FALLBACK_MS / 1000} s`, dot: 'bg-status-retrying' },
};

export function ConnectionIndicator({ className }: { className?: string }) {
  const state = useConnectionState();
  const { label, dot } = appearance[state];
  return (
    <p
      role="status"
      aria-live="polite"
      data-testid="connection-indicator"
      data-connection={state}
      className={cn('inline-flex min-w-0 items-center gap-2 rounded-full border border-border px-3 py-1 text-xs text-foreground-muted', className)}
    >
      <span aria-hidden="true" className={cn('size-2 shrink-0 rounded-full', dot, state === 'live' && 'motion-safe:animate-pulse')} />
      <span className="sr-only">Updates: </span>
      {label}
    </p>
  );
}
