'use client';
/** Error boundary for pages: says something went wrong, offers a retry, never shows internals. */
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Card className="mx-auto max-w-lg" role="alert">
      <CardHeader>
        <CardTitle as="h1">Something went wrong</CardTitle>
        <CardDescription>
          This page could not be shown. Try again; if it keeps failing, the server log has the details
          {error.digest ? ` (reference ${error.digest})` : ''}.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <Button onClick={reset}>Try again</Button>
      </CardContent>
    </Card>
  );
}
