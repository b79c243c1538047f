/** The header on every page: product name, main navigation, theme switch and the account slot. */
import Link from 'next/link';
import { ThemeToggle } from '@/components/theme/theme-toggle';
import { HeaderAccount } from './header-account';
import { NavLinks } from './nav-links';

export function SiteHeader() {
  return (
    <header className="border-b border-border bg-surface">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4">
        <Link href="/" className="flex items-center gap-2 rounded-control text-base font-bold tracking-tight">
          <svg viewBox="0 0 24 24" aria-hidden="true" className="size-6 text-accent" fill="currentColor">
            <path d="M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z" />
          </svg>
          Nightshift
        </Link>
        <NavLinks />
        <div className="ml-auto flex items-center gap-2">
          <ThemeToggle />
          <HeaderAccount />
        </div>
      </div>
    </header>
  );
}
