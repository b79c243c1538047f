/**
 * The account slot of the site header: who is signed in, their role and sign out — or a sign-in link. A server
 * component: it reads the same per-request principal the page's own check uses.
 */
import Link from 'next/link';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { Badge } from '@/components/ui/badge';
import { buttonClassName } from '@/components/ui/button';
import { currentPrincipal } from '@/lib/auth/request-context';

export async function HeaderAccount({ signOutAction }: { signOutAction: () => Promise<void> }) {
  const principal = await currentPrincipal();
  if (!principal) {
    return (
      <Link href="/login" className={buttonClassName('secondary', 'sm')}>
        Sign in
      </Link>
    );
  }
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2 text-sm" data-testid="header-account">
      <span className="max-w-full truncate text-foreground-muted lg:hidden 2xl:inline 2xl:max-w-48" title={principal.label}>
        <span className="sr-only">Signed in as </span>
        {principal.label}
      </span>
      <Badge tone="outline" aria-label={`Role: ${principal.role}`}>
        {principal.role}
      </Badge>
      {principal.kind === 'session' && <SignOutButton action={signOutAction} />}
    </div>
  );
}
