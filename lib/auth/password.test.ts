import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './password';

describe('password hashing (scrypt)', () => {
  it('stores a memory-hard hash with its parameters and a per-user salt', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    const [scheme, n, r, p, salt, hash] = first.split('$');
    expect(scheme).toBe('scrypt');
    expect(Number(n)).toBeGreaterThanOrEqual(2 ** 15);
    expect(Number(r)).toBe(8);
    expect(Number(p)).toBe(1);
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(hash ?? '', 'base64')).toHaveLength(64);
    expect(first).not.toContain('correct horse');
    expect(second).not.toBe(first);
  });

  it('verifies the right password only', async () => {
    const stored = await hashPassword('s3cret-Passw0rd!');
    expect(await verifyPassword('s3cret-Passw0rd!', stored)).toBe(true);
    expect(await verifyPassword('s3cret-Passw0rd?', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('refuses malformed or tampered hashes instead of throwing', async () => {
    const stored = await hashPassword('another-password-1');
    const parts = stored.split('$');
    parts[5] = Buffer.alloc(64).toString('base64');
    expect(await verifyPassword('another-password-1', parts.join('$'))).toBe(false);
    expect(await verifyPassword('x', 'plaintext')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$0$8$1$AA==$AA==')).toBe(false);
  });

  it('generates long random passwords', () => {
    const generated = new Set(Array.from({ length: 20 }, () => generatePassword()));
    expect(generated.size).toBe(20);
    for (const password of generated) expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});
