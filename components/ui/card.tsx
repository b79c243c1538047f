/** Card: a bordered surface with optional header, content and footer. */
import type { ComponentPropsWithRef } from 'react';
import { cn } from './cn';

export function Card({ className, ...props }: ComponentPropsWithRef<'section'>) {
  return <section className={cn('rounded-card border border-border bg-surface shadow-card', className)} {...props} />;
}

export function CardHeader({ className, ...props }: ComponentPropsWithRef<'div'>) {
  return <div className={cn('flex flex-col gap-1 p-5 pb-3', className)} {...props} />;
}

/** A heading; pass `as` to keep the document outline right (h2 by default). */
export function CardTitle({ as: Heading = 'h2', className, ...props }: ComponentPropsWithRef<'h2'> & { as?: 'h1' | 'h2' | 'h3' }) {
  return <Heading className={cn('text-lg font-semibold tracking-tight', className)} {...props} />;
}

export function CardDescription({ className, ...props }: ComponentPropsWithRef<'p'>) {
  return <p className={cn('text-sm text-foreground-muted', className)} {...props} />;
}

export function CardContent({ className, ...props }: ComponentPropsWithRef<'div'>) {
  return <div className={cn('px-5 pb-5', className)} {...props} />;
}

export function CardFooter({ className, ...props }: ComponentPropsWithRef<'div'>) {
  return <div className={cn('flex items-center gap-3 border-t border-border px-5 py-3', className)} {...props} />;
}
