/** `/admin/tokens` (admin): API tokens for machine clients — create (shown once), list with last use, revoke. */
import type { Metadata } from 'next';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ListTable } from '@/components/ui/list-table';
import { getDb } from '@/lib/database';
import { listApiTokens } from '@/lib/auth/api-tokens';
import { requirePageRole } from '@/lib/auth/guards';
import { formatTimestamp } from '@/lib/time/format';
import { AdminNav } from '../admin-nav';
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
            <ListTable
              rows={tokens}
              rowKey={(token) => token.id}
              empty="No API tokens yet."
              columns={[
                { header: 'Name', className: 'font-medium', cell: (token) => token.name },
                { header: 'Token', cell: (token) => <code className="font-mono text-xs">{token.tokenPrefix}…</code> },
                { header: 'Role', cell: (token) => token.role },
                {
                  header: 'Created',
                  className: 'whitespace-nowrap text-foreground-muted',
                  cell: (token) => `${formatTimestamp(token.createdAt)}${token.createdByEmail ? ` by ${token.createdByEmail}` : ' (command line)'}`,
                },
                {
                  header: 'Last used',
                  className: 'whitespace-nowrap text-foreground-muted',
                  cell: (token) => (token.lastUsedAt ? formatTimestamp(token.lastUsedAt) : 'never'),
                },
                {
                  header: 'State',
                  cell: (token) =>
                    token.revokedAt ? <Badge tone="neutral">Revoked {formatTimestamp(token.revokedAt)}</Badge> : <RevokeTokenForm tokenId={token.id} name={token.name} />,
                },
              ]}
            />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
