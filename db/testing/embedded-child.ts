/**
 * Test fixture: starts the embedded PostgreSQL in a data folder, prints "ready <url>", then waits to be killed —
 * standing in for an `npm start` that dies with SIGKILL and leaves its server behind.
 */
import { startEmbeddedPostgres } from '../embedded';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error('usage: embedded-child.ts <dataDir> <port>');
const server = await startEmbeddedPostgres({ dataDir, port: Number(port), durable: false });
console.log(`ready ${server.url}`);
setInterval(() => undefined, 60_000);
