'use client';
/**
 * Client-side providers for the whole app. One QueryClient per browser session (kept at module level so a
 * suspended or remounted tree does not throw the cache away); on the server a fresh one per request.
 */
import { isServer, QueryClient, QueryClientProvider } from '@tanstack/react-query';
// Before any schema runs in the browser: keeps zod from probing for eval, which the CSP reports.
import '@/lib/zod-csp';
import type { ReactNode } from 'react';

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Avoid refetching immediately after hydration; pages that need live data set their own refetchInterval.
      queries: { staleTime: 30_000, retry: 1 },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

export function Providers({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={getQueryClient()}>{children}</QueryClientProvider>;
}
