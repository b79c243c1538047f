/**
 * The Content-Security-Policy every response carries, built per request by proxy.ts around a fresh nonce.
 *
 * - Scripts: Next puts the nonce on its own scripts when it finds it in the request's CSP header (every page
 *   here renders dynamically, so there always is one); 'strict-dynamic' lets those load their chunks. The one
 *   inline script of our own (the theme, set before first paint) is allowed by its hash, so it needs no nonce.
 * - Styles: 'unsafe-inline', because recharts and React Flow position their SVG and nodes with style attributes,
 *   which no nonce can cover (and a nonce in style-src would switch 'unsafe-inline' off). Styles cannot run code.
 * - frame-ancestors 'none': no other site may frame these pages (clickjacking).
 */
import { createHash, randomBytes } from 'node:crypto';
import { themeScript } from '@/lib/theme-script';

const themeScriptHash = `'sha256-${createHash('sha256').update(themeScript).digest('base64')}'`;

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(nonce: string, options: { dev: boolean }): string {
  return [
    "default-src 'self'",
    // React's development build evaluates code to rebuild server stacks; production never does.
    `script-src 'self' 'nonce-${nonce}' ${themeScriptHash} 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${options.dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** HSTS only over https: sent over http it would be ignored, and a wrong value there could lock users out. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';
