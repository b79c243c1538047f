/** Rendered with HTTP 403 when a signed-in user's role is too low for a page (`forbidden()` in requirePageRole). */
import Link from 'next/link';
import { buttonClassName } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

export default function Forbidden() {
  return (
    <Card className="mx-auto max-w-lg">
      <CardHeader>
        <CardTitle as="h1" className="text-2xl">
          403 — Not allowed
        </CardTitle>
        <CardDescription>Your role does not give access to this page. Ask an administrator if you need it.</CardDescription>
      </CardHeader>
      <CardContent>
        <Link href="/" className={buttonClassName('secondary')}>
          Back to the dashboard
        </Link>
      </CardContent>
    </Card>
  );
}
