/**
 * A bounded queue in front of password hashing. One scrypt verification costs tens of milliseconds of a core and
 * 32 MiB; unbounded, a burst of sign-in attempts takes every core and slows every other request. The gate runs
 * at most `concurrency` verifications at once, lets at most `maxQueued` wait, and at most `maxPerAddress` of
 * those (running or waiting) come from one client address, so one address cannot fill the queue for everyone.
 * A refusal costs nothing: the caller answers "busy, try again" without hashing.
 */

export interface HashingGateLimits {
  concurrency: number;
  maxQueued: number;
  maxPerAddress: number;
}

export const DEFAULT_HASHING_GATE_LIMITS: HashingGateLimits = { concurrency: 1, maxQueued: 32, maxPerAddress: 2 };

export interface HashingGate {
  /** Runs `work` when a slot is free; `{ admitted: false }` at once when the queue or the address is full. */
  run<T>(address: string, work: () => Promise<T>): Promise<{ admitted: true; value: T } | { admitted: false }>;
}

export function createHashingGate(limits: HashingGateLimits = DEFAULT_HASHING_GATE_LIMITS): HashingGate {
  let running = 0;
  const waiting: Array<() => void> = [];
  const perAddress = new Map<string, number>();

  const release = (address: string) => {
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left <= 0) perAddress.delete(address);
    else perAddress.set(address, left);
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };

  return {
    async run(address, work) {
      const mine = perAddress.get(address) ?? 0;
      if (mine >= limits.maxPerAddress) return { admitted: false };
      if (running >= limits.concurrency && waiting.length >= limits.maxQueued) return { admitted: false };
      perAddress.set(address, mine + 1);
      // A freed slot passes straight to the next waiter, so `running` never drops below the queue's demand.
      if (running < limits.concurrency) running += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return { admitted: true, value: await work() };
      } finally {
        release(address);
      }
    },
  };
}

const globalForGate = globalThis as typeof globalThis & { nightshiftHashingGate?: HashingGate };

/** The process's gate (one per server process; the limits are about this machine's cores). */
export function processHashingGate(): HashingGate {
  globalForGate.nightshiftHashingGate ??= createHashingGate();
  return globalForGate.nightshiftHashingGate;
}
