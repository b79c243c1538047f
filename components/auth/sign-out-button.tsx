/** Sign out: a real form POST to the server action, so it works before hydration and without JavaScript. */
import { signOutAction } from '@/app/login/actions';
import { Button } from '@/components/ui/button';

export function SignOutButton() {
  return (
    <form action={signOutAction}>
      <Button type="submit" variant="secondary" size="sm">
        Sign out
      </Button>
    </form>
  );
}
