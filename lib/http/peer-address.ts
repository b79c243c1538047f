/**
 * The one place the socket's peer address enters the app: the server (scripts/serve.ts, and the test server)
 * writes it into PEER_ADDRESS_HEADER, replacing whatever a client sent under that name. lib/auth/request-info.ts
 * reads it back to decide whose X-Forwarded-* headers to believe.
 */
import type { IncomingMessage } from 'node:http';
import { PEER_ADDRESS_HEADER } from '@/lib/auth/constants';

export function stampPeerAddress(request: IncomingMessage): void {
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? '';
}
