/** `/admin/users` (admin): every account with its role and state; create, change role, disable / enable. */
import type { Metadata } from 'next';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ListTable } from '@/components/ui/list-table';
import { getDb } from '@/lib/database';
import { requirePageRole } from '@/lib/auth/guards';
import { listUsers } from '@/lib/auth/users';
import { formatTimestamp } from '@/lib/time/format';
import { AdminNav } from '../admin-nav';
import { CreateUserForm, DisableForm, RoleForm } from './user-forms';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const principal = await requirePageRole('admin');
  const users = await listUsers(getDb().db);
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold tracking-tight">Administration</h1>
      <AdminNav current="/admin/users" />
      <div className="flex flex-col gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Users</CardTitle>
            <CardDescription>Viewers read; operators also run and repair pipelines; admins also manage access.</CardDescription>
          </CardHeader>
          <CardContent>
            <ListTable
              rows={users}
              rowKey={(user) => user.id}
              rowData={(user) => ({ 'data-email': user.email })}
              columns={[
                {
                  header: 'Email',
                  className: 'font-medium',
                  cell: (user) => (
                    <>
                      {user.email}
                      {user.id === principal.userId && <span className="ml-2 text-xs text-foreground-muted">(you)</span>}
                    </>
                  ),
                },
                { header: 'Name', cell: (user) => user.name },
                {
                  header: 'Role',
                  cell: (user) =>
                    user.id === principal.userId ? (
                      <Badge tone="outline">{user.role}</Badge>
                    ) : (
                      <RoleForm userId={user.id} email={user.email} role={user.role} disabled={user.disabledAt !== null} />
                    ),
                },
                {
                  header: 'State',
                  cell: (user) => (
                    <div className="flex items-center gap-2">
                      <Badge tone={user.disabledAt !== null ? 'neutral' : 'outline'}>{user.disabledAt !== null ? 'Disabled' : 'Active'}</Badge>
                      {user.id !== principal.userId && <DisableForm userId={user.id} email={user.email} disabled={user.disabledAt !== null} />}
                    </div>
                  ),
                },
                { header: 'Created', className: 'whitespace-nowrap text-foreground-muted', cell: (user) => formatTimestamp(user.createdAt) },
              ]}
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Create a user</CardTitle>
          </CardHeader>
          <CardContent>
            <CreateUserForm />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
