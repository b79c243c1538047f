/** Root layout: theme set before first paint, skip link, site header, one main landmark, client providers. */
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { SiteHeader } from '@/components/layout/site-header';
import { mainContentId, SkipLink } from '@/components/layout/skip-link';
import { Providers } from '@/components/providers';
import { signOutAction } from './login/actions';
import { themeScript } from '@/lib/theme-script';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Nightshift', template: '%s · Nightshift' },
  description: 'Resilient data pipelines and the executive dashboard they feed.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets data-theme before React hydrates, so the server's <html> legitimately differs.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body className="min-h-screen">
        <SkipLink />
        <Providers>
          <SiteHeader signOutAction={signOutAction} />
          <main id={mainContentId} tabIndex={-1} className="mx-auto max-w-6xl px-4 py-8 focus:outline-none">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
