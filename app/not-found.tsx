/** 404 for any unknown path (including sections that are not built yet). */
import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

export default function NotFound() {
  return (
    <Card className="mx-auto max-w-lg">
      <CardHeader>
        <CardTitle as="h1">Page not found</CardTitle>
        <CardDescription>There is nothing at this address, or it has not been built yet.</CardDescription>
      </CardHeader>
      <CardContent>
        <Button asChild variant="secondary">
          <Link href="/">Back to the start page</Link>
        </Button>
      </CardContent>
    </Card>
  );
}
