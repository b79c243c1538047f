'use client';
/** Primary navigation; marks the current section with aria-current so it is announced, not just highlighted. */
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';

export const primaryNavigation = [
  { href: '/', label: 'Dashboard' },
  { href: '/runs', label: 'Runs' },
  { href: '/messages', label: 'Messages' },
  { href: '/chaos', label: 'Chaos' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/schedules', label: 'Schedules' },
  { href: '/status', label: 'Status' },
] as const;

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main">
      <ul className="flex items-center gap-1">
        {primaryNavigation.map(({ href, label }) => {
          const current = isCurrent(pathname, href);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={current ? 'page' : undefined}
                className={cn(
                  'rounded-control px-3 py-2 text-sm font-medium transition-colors',
                  current
                    ? 'bg-surface-muted text-foreground underline decoration-accent decoration-2 underline-offset-8'
                    : 'text-foreground-muted hover:bg-surface-muted hover:text-foreground',
                )}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
