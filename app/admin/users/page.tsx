/** `/admin/users` (admin): every account with its role and state; create, change role, disable / enable. */
import type { Metadata } from 'next';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { getDb } from '@/lib/database';
import { requirePageRole } from '@/lib/auth/guards';
import { listUsers } from '@/lib/auth/users';
import { AdminNav, formatTime } from '../admin-nav';
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
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Email</TableHead>
                  <TableHead>Name</TableHead>
                  <TableHead>Role</TableHead>
                  <TableHead>State</TableHead>
                  <TableHead>Created</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {users.map((user) => {
                  const isSelf = user.id === principal.userId;
                  const disabled = user.disabledAt !== null;
                  return (
                    <TableRow key={user.id} data-email={user.email}>
                      <TableCell className="font-medium">
                        {user.email}
                        {isSelf && <span className="ml-2 text-xs text-foreground-muted">(you)</span>}
                      </TableCell>
                      <TableCell>{user.name}</TableCell>
                      <TableCell>
                        {isSelf ? <Badge tone="outline">{user.role}</Badge> : <RoleForm userId={user.id} email={user.email} role={user.role} disabled={disabled} />}
                      </TableCell>
                      <TableCell>
                        <div className="flex items-center gap-2">
                          <Badge tone={disabled ? 'neutral' : 'outline'}>{disabled ? 'Disabled' : 'Active'}</Badge>
                          {!isSelf && <DisableForm userId={user.id} email={user.email} disabled={disabled} />}
                        </div>
                      </TableCell>
                      <TableCell className="whitespace-nowrap text-foreground-muted">{formatTime(user.createdAt)}</TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
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
