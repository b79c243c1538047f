'use client';
/**
 * A box that scrolls on its own (a wide table on a phone, a long result in the drawer). Keyboard users scroll it
 * with the arrow keys once it has focus, so while its content overflows it is a tab stop (axe:
 * scrollable-region-focusable); while everything fits it stays out of the tab order. It is `relative` so that
 * absolutely positioned content (screen-reader-only labels in a table) scrolls with it instead of widening the page.
 */
import { useEffect, useRef, useState, type ComponentPropsWithoutRef } from 'react';
import { cn } from './cn';

export function ScrollRegion({ label, className, children, ...props }: ComponentPropsWithoutRef<'div'> & { label?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollable, setScrollable] = useState(false);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setScrollable(element.scrollWidth > element.clientWidth || element.scrollHeight > element.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    for (const child of element.children) observer.observe(child);
    return () => observer.disconnect();
  }, []);

  return (
    <div
      ref={ref}
      role={label ? 'region' : undefined}
      aria-label={label}
      tabIndex={scrollable ? 0 : undefined}
      className={cn('relative overflow-auto focus-visible:outline-2 focus-visible:outline-focus', className)}
      {...props}
    >
      {children}
    </div>
  );
}
