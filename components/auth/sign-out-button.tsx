/**
 * Sign out: a real form POST to the server action, so it works before hydration and without JavaScript. The action
 * lives in app/login and is handed down from the layout, so components/ does not import app/.
 */
import { Button } from '@/components/ui/button';

export function SignOutButton({ action }: { action: () => Promise<void> }) {
  return (
    <form action={action}>
      <Button type="submit" variant="secondary" size="sm">
        Sign out
      </Button>
    </form>
  );
}
