/** Rendered with HTTP 401 if `unauthorized()` is called; pages normally redirect anonymous visitors to /login instead. */
import Link from 'next/link';
import { buttonClassName } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

export default function Unauthorized() {
  return (
    <Card className="mx-auto max-w-lg">
      <CardHeader>
        <CardTitle as="h1" className="text-2xl">
          401 — Sign in required
        </CardTitle>
        <CardDescription>Your session has ended or you are not signed in.</CardDescription>
      </CardHeader>
      <CardContent>
        <Link href="/login" className={buttonClassName('primary')}>
          Sign in
        </Link>
      </CardContent>
    </Card>
  );
}
