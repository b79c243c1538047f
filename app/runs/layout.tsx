/** Every /runs page shares one live connection per tab, kept across client-side navigation between them. */
import type { ReactNode } from 'react';
import { LiveUpdates } from '@/components/live/live-updates';

export default function RunsLayout({ children }: { children: ReactNode }) {
  return <LiveUpdates>{children}</LiveUpdates>;
}
