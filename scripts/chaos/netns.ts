/**
 * A second "host" on this machine: a Linux network namespace joined to the host by a veth pair, so a process run
 * in it reaches PostgreSQL over a link that can be taken down and brought back — a network partition between two
 * hosts, with real TCP behaviour (nothing is refused or reset; packets simply stop). Needs root and `ip` (iproute2).
 *
 * Every namespace made here is named after the process that made it, so a run killed before its clean-up is swept
 * by the next one (`sweepLeftovers`); deleting a namespace deletes its veth pair with it.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

const PREFIX = 'nsx-part-';

export interface NetworkNamespace {
  name: string;
  /** The host end's address: what PostgreSQL listens on for the namespace. */
  hostAddress: string;
  /** The namespace end's address. */
  namespaceAddress: string;
  /** The /30 holding both ends, for pg_hba.conf. */
  network: string;
  /** The command prefix that runs a program inside the namespace. */
  exec(command: string, args: string[]): { command: string; args: string[] };
  /** Takes the namespace's end of the link down: its packets go nowhere until heal(). */
  cut(): void;
  heal(): void;
  remove(): void;
}

function ip(args: string[]): string {
  const run = spawnSync('ip', args, { encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${(run.stderr || run.stdout).trim()}`);
  return run.stdout;
}

/** Why a partition cannot be staged here, or undefined when it can (root, iproute2, permission to add a namespace). */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'network namespaces need root';
  const probe = `${PREFIX}probe-${process.pid}`;
  const added = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (added.error) return '`ip` (iproute2) is not installed';
  if (added.status !== 0) return `\`ip netns add\` is not permitted here (${added.stderr.trim()})`;
  spawnSync('ip', ['netns', 'delete', probe]);
  return undefined;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Deletes namespaces (and so their veth pairs) left by runs whose process is gone. */
export function sweepLeftovers(): void {
  for (const line of ip(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const pid = Number(/^nsx-part-(?:probe-)?(\d+)/.exec(name)?.[1]);
    if (name.startsWith(PREFIX) && Number.isInteger(pid) && !alive(pid)) spawnSync('ip', ['netns', 'delete', name]);
  }
}

export function createNetworkNamespace(): NetworkNamespace {
  sweepLeftovers();
  const tag = `${process.pid}-${randomInt(1_000)}`;
  const name = `${PREFIX}${tag}`;
  // veth names are at most 15 characters.
  const short = `${process.pid % 100_000}${randomInt(10)}`;
  const hostEnd = `nsxh${short}`;
  const namespaceEnd = `nsxn${short}`;
  // A /30 in 10.231.0.0/16 picked at random, so two runs at once do not collide.
  const block = randomInt(16_384) * 4;
  const octets = (offset: number) => `10.231.${Math.floor((block + offset) / 256)}.${(block + offset) % 256}`;
  const hostAddress = octets(1);
  const namespaceAddress = octets(2);
  const network = `${octets(0)}/30`;

  ip(['netns', 'add', name]);
  const remove = () => {
    spawnSync('ip', ['netns', 'delete', name]);
    spawnSync('ip', ['link', 'delete', hostEnd]);
  };
  try {
    ip(['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', namespaceEnd]);
    ip(['link', 'set', namespaceEnd, 'netns', name]);
    ip(['addr', 'add', `${hostAddress}/30`, 'dev', hostEnd]);
    ip(['link', 'set', hostEnd, 'up']);
    ip(['-n', name, 'addr', 'add', `${namespaceAddress}/30`, 'dev', namespaceEnd]);
    ip(['-n', name, 'link', 'set', namespaceEnd, 'up']);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    remove();
    throw error;
  }
  return {
    name,
    hostAddress,
    namespaceAddress,
    network,
    exec: (command, args) => ({ command: 'ip', args: ['netns', 'exec', name, command, ...args] }),
    cut: () => void ip(['-n', name, 'link', 'set', namespaceEnd, 'down']),
    heal: () => void ip(['-n', name, 'link', 'set', namespaceEnd, 'up']),
    remove,
  };
}
