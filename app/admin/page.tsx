/** `/admin` (admin): the admin area starts with users. */
import { redirect } from 'next/navigation';
import { requirePageRole } from '@/lib/auth/guards';

export default async function AdminPage() {
  await requirePageRole('admin');
  redirect('/admin/users');
}
