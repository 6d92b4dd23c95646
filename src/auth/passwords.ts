import bcrypt from 'bcrypt';

export const BCRYPT_COST = 12;
/** bcrypt reads only the first 72 bytes: longer passwords are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;

export function passwordTooLong(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;
}

export function hashPassword(password: string): Promise<string> {
  if (passwordTooLong(password)) throw new Error('password over 72 bytes');
  return bcrypt.hash(password, BCRYPT_COST);
}

// A real hash of a random password: comparing against it costs what a real comparison costs,
// so an unknown email takes as long as a wrong password.
const DUMMY_HASH = bcrypt.hashSync(`dummy-${Math.random()}`, BCRYPT_COST);

export function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  return bcrypt.compare(password, hash ?? DUMMY_HASH).then((ok) => ok && !!hash);
}
