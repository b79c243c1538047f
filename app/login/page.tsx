/** `/login` (public). Someone already signed in goes straight on to where they were heading. */
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { currentPrincipal } from '@/lib/auth/request-context';
import { safeNextPath } from '@/lib/auth/request-info';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { next } = await searchParams;
  const destination = safeNextPath(typeof next === 'string' ? next : undefined, '/');
  if (await currentPrincipal()) redirect(destination);
  return (
    <div className="mx-auto flex max-w-sm flex-col gap-6 pt-8">
      <Card>
        <CardHeader>
          <CardTitle as="h1" className="text-2xl">
            Sign in
          </CardTitle>
          <CardDescription>
            Use the account an administrator gave you. On a fresh install, the first admin&rsquo;s credentials are printed
            when the server first starts and saved in <code>.data/admin-credentials.txt</code>.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <LoginForm next={destination} />
        </CardContent>
      </Card>
    </div>
  );
}
