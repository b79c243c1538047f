'use client';
/**
 * Picks the header for the current path. The root layout stays mounted across client-side navigation, so the
 * choice has to follow the browser's path rather than the request that first rendered the layout.
 */
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';

/** Pages whose audience is the public, who get the minimal header. */
const PUBLIC_PAGES = new Set(['/status']);

export function HeaderChrome({ consoleHeader, statusHeader }: { consoleHeader: ReactNode; statusHeader: ReactNode }) {
  return PUBLIC_PAGES.has(usePathname()) ? statusHeader : consoleHeader;
}
