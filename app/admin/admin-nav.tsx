/** Tabs across the admin pages; `current` marks the page with aria-current. */
import Link from 'next/link';
import { cn } from '@/components/ui/cn';

const tabs = [
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/tokens', label: 'API tokens' },
  { href: '/admin/audit', label: 'Audit log' },
] as const;

export function AdminNav({ current }: { current: (typeof tabs)[number]['href'] }) {
  return (
    <nav aria-label="Administration" className="mb-6 flex gap-1 border-b border-border">
      {tabs.map((tab) => (
        <Link
          key={tab.href}
          href={tab.href}
          aria-current={tab.href === current ? 'page' : undefined}
          className={cn(
            '-mb-px border-b-2 px-3 py-2 text-sm font-medium',
            tab.href === current ? 'border-accent text-foreground' : 'border-transparent text-foreground-muted hover:text-foreground',
          )}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
