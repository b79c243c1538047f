/** `/admin/tokens` (admin): API tokens for machine clients — create (shown once), list with last use, revoke. */
import type { Metadata } from 'next';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { getDb } from '@/lib/database';
import { listApiTokens } from '@/lib/auth/api-tokens';
import { requirePageRole } from '@/lib/auth/guards';
import { AdminNav, formatTime } from '../admin-nav';
import { CreateTokenForm, RevokeTokenForm } from './token-forms';

export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  await requirePageRole('admin');
  const tokens = await listApiTokens(getDb().db);
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold tracking-tight">Administration</h1>
      <AdminNav current="/admin/tokens" />
      <div className="flex flex-col gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Create an API token</CardTitle>
            <CardDescription>
              Machine clients send it as <code>Authorization: Bearer ns_…</code>. Only a hash is stored: the token is
              shown once. From a shell: <code>npm run token -- --name NAME --role ROLE</code>.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <CreateTokenForm />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Tokens</CardTitle>
          </CardHeader>
          <CardContent>
            {tokens.length === 0 ? (
              <p className="text-sm text-foreground-muted">No API tokens yet.</p>
            ) : (
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead>Name</TableHead>
                    <TableHead>Token</TableHead>
                    <TableHead>Role</TableHead>
                    <TableHead>Created</TableHead>
                    <TableHead>Last used</TableHead>
                    <TableHead>State</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {tokens.map((token) => (
                    <TableRow key={token.id}>
                      <TableCell className="font-medium">{token.name}</TableCell>
                      <TableCell>
                        <code className="font-mono text-xs">{token.tokenPrefix}…</code>
                      </TableCell>
                      <TableCell>{token.role}</TableCell>
                      <TableCell className="whitespace-nowrap text-foreground-muted">
                        {formatTime(token.createdAt)}
                        {token.createdByEmail ? ` by ${token.createdByEmail}` : ' (command line)'}
                      </TableCell>
                      <TableCell className="whitespace-nowrap text-foreground-muted">{token.lastUsedAt ? formatTime(token.lastUsedAt) : 'never'}</TableCell>
                      <TableCell>
                        {token.revokedAt ? (
                          <Badge tone="neutral">Revoked {formatTime(token.revokedAt)}</Badge>
                        ) : (
                          <RevokeTokenForm tokenId={token.id} name={token.name} />
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
