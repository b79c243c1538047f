'use client';
/**
 * The main navigation: the links the signed-in role may open (the server filters them) and the account slot.
 * Below the `lg` breakpoint both collapse behind a Menu button (a disclosure: aria-expanded, Escape closes and
 * gives focus back to the button, following a link closes it), so the header fits a 390 px phone.
 */
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { cn } from '@/components/ui/cn';
import { CloseIcon, MenuIcon } from '@/components/ui/icons';

export interface NavItem {
  href: string;
  label: string;
  /** The section the link stands for, when wider than its href (Admin → every /admin page). */
  section?: string;
}

function isCurrent(pathname: string, { href, section = href }: NavItem): boolean {
  return section === '/' ? pathname === '/' : pathname === section || pathname.startsWith(`${section}/`);
}

export function NavLinks({ items, account }: { items: readonly NavItem[]; account: ReactNode }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const [openedAt, setOpenedAt] = useState(pathname);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();

  // A followed link closes the menu: the next page starts with the header folded again.
  if (open && openedAt !== pathname) setOpen(false);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => {
          setOpenedAt(pathname);
          setOpen((value) => !value);
        }}
        className="order-3 inline-flex h-9 items-center gap-1.5 rounded-control border border-border-strong px-3 text-sm font-medium lg:hidden"
      >
        {open ? <CloseIcon className="size-4" /> : <MenuIcon className="size-4" />}
        Menu
      </button>
      <div
        id={panelId}
        className={cn(
          'order-4 basis-full flex-col gap-3 border-t border-border py-3 lg:order-2 lg:flex lg:min-w-0 lg:flex-1 lg:basis-auto lg:flex-row lg:items-center lg:border-0 lg:py-0',
          open ? 'flex' : 'hidden',
        )}
      >
        {items.length > 0 && (
          <nav aria-label="Main">
            <ul className="flex flex-col gap-1 lg:flex-row lg:items-center lg:gap-0.5">
              {items.map((item) => {
                const current = isCurrent(pathname, item);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      aria-current={current ? 'page' : undefined}
                      className={cn(
                        'block rounded-control px-3 py-2 text-sm font-medium transition-colors lg:px-2.5',
                        current
                          ? 'bg-surface-muted text-foreground underline decoration-accent decoration-2 underline-offset-8'
                          : 'text-foreground-muted hover:bg-surface-muted hover:text-foreground',
                      )}
                    >
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        )}
        <div className="lg:ml-auto">{account}</div>
      </div>
    </>
  );
}
