/**
 * The header of every page. The console gets the product name, the navigation the visitor's role may open (from
 * the same access table the server enforces, so no link leads to a 403), the theme switch and the account slot.
 * The public status page gets a header of its own: its visitors are customers, not operators of the pipeline.
 */
import Link from 'next/link';
import { ThemeToggle } from '@/components/theme/theme-toggle';
import { buttonClassName } from '@/components/ui/button';
import { pageAccess } from '@/lib/auth/access-policy';
import { currentPrincipal } from '@/lib/auth/request-context';
import { hasRole } from '@/lib/auth/roles';
import { HeaderAccount } from './header-account';
import { HeaderChrome } from './header-chrome';
import { NavLinks, type NavItem } from './nav-links';

export const primaryNavigation: readonly NavItem[] = [
  { href: '/', label: 'Dashboard' },
  { href: '/retention', label: 'Retention' },
  { href: '/runs', label: 'Runs' },
  { href: '/failures', label: 'Failures' },
  { href: '/messages', label: 'Messages' },
  { href: '/chaos', label: 'Chaos' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/reliability', label: 'Reliability' },
  { href: '/schedules', label: 'Schedules' },
  { href: '/status', label: 'Status' },
  { href: '/admin/users', label: 'Admin', section: '/admin' },
];

function Brand({ href, suffix }: { href: string; suffix?: string }) {
  return (
    <Link href={href} className="order-1 flex items-center gap-2 rounded-control text-base font-bold tracking-tight">
      <svg viewBox="0 0 24 24" aria-hidden="true" className="size-6 text-accent" fill="currentColor">
        <path d="M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z" />
      </svg>
      Nightshift
      {suffix && <span className="font-medium text-foreground-muted">{suffix}</span>}
    </Link>
  );
}

const rowClass = 'mx-auto flex min-h-14 max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2 lg:flex-nowrap';

/** `signOutAction` is the server action behind the sign-out button (app/login/actions.ts). */
export async function SiteHeader({ signOutAction }: { signOutAction: () => Promise<void> }) {
  const principal = await currentPrincipal();
  const items = primaryNavigation.filter(({ href }) => {
    const access = pageAccess(href);
    return access === 'public' || (access !== undefined && principal !== null && hasRole(principal.role, access));
  });

  const consoleHeader = (
    <div className={rowClass}>
      <Brand href="/" />
      <div className="order-2 ml-auto lg:order-3 lg:ml-0">
        <ThemeToggle />
      </div>
      <NavLinks items={items} account={<HeaderAccount signOutAction={signOutAction} />} />
    </div>
  );

  const statusHeader = (
    <div className={rowClass}>
      <Brand href="/status" suffix="status" />
      <div className="order-2 ml-auto flex items-center gap-2">
        <ThemeToggle />
        <Link href={principal ? '/' : '/login'} className={buttonClassName('secondary', 'sm')}>
          {principal ? 'Open the console' : 'Sign in'}
        </Link>
      </div>
    </div>
  );

  return (
    <header className="border-b border-border bg-surface">
      <HeaderChrome consoleHeader={consoleHeader} statusHeader={statusHeader} />
    </header>
  );
}
