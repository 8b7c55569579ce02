/**
 * Test accounts that log in with a known password need a real scrypt hash of it (the server
 * verifies it as any other), but not a fresh one each: a hash costs about 160 ms of CPU here, and
 * the fixtures made 139 of them a run (72 in osdi-api.test.ts alone). `passwordHashOf` hashes each
 * password once per test process, with the app's own hashPassword and parameters, and hands the
 * same hash to every account of that password. Tests of hashing itself call hashPassword.
 */
import { hashPassword } from "~/modules/accounts/passwords.server";

const hashes = new Map<string, Promise<string>>();

export function passwordHashOf(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    // A failed hash is not kept: the next caller tries again.
    hash.catch(() => hashes.delete(password));
    hashes.set(password, hash);
  }
  return hash;
}
