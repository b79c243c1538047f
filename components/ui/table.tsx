/** Styled table primitives; the wrapper scrolls sideways on narrow screens instead of squeezing columns. */
import type { ComponentPropsWithRef } from 'react';
import { cn } from './cn';
import { ScrollRegion } from './scroll-region';

/** `label` names the scroll area for screen readers when the table is wider than its card. */
export function Table({ className, label, ...props }: ComponentPropsWithRef<'table'> & { label?: string }) {
  return (
    <ScrollRegion label={label} className="w-full overflow-y-hidden">
      <table className={cn('w-full caption-bottom border-collapse text-sm', className)} {...props} />
    </ScrollRegion>
  );
}

export function TableCaption({ className, ...props }: ComponentPropsWithRef<'caption'>) {
  return <caption className={cn('mt-3 text-left text-sm text-foreground-muted', className)} {...props} />;
}

export function TableHeader({ className, ...props }: ComponentPropsWithRef<'thead'>) {
  return <thead className={cn('border-b border-border', className)} {...props} />;
}

export function TableBody({ className, ...props }: ComponentPropsWithRef<'tbody'>) {
  return <tbody className={cn('[&>tr:last-child]:border-0', className)} {...props} />;
}

export function TableRow({ className, ...props }: ComponentPropsWithRef<'tr'>) {
  return <tr className={cn('border-b border-border hover:bg-surface-muted/60', className)} {...props} />;
}

export function TableHead({ className, scope, ...props }: ComponentPropsWithRef<'th'>) {
  return (
    <th
      scope={scope ?? 'col'}
      className={cn('h-10 px-3 text-left align-middle text-xs font-semibold tracking-wide text-foreground-muted uppercase', className)}
      {...props}
    />
  );
}

export function TableCell({ className, ...props }: ComponentPropsWithRef<'td'>) {
  return <td className={cn('px-3 py-2.5 align-middle', className)} {...props} />;
}
