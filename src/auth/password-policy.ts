import { createRequire } from 'node:module';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { z } from 'zod';
import { MAX_PASSWORD_BYTES, passwordTooLong } from './passwords';

export const MIN_PASSWORD_LENGTH = 12;

// The password dictionaries weigh about 20 MB in memory: loaded on the first password set,
// not in every process (exports, jobs, CLI) that never checks one.
let zxcvbn: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  if (!zxcvbn) {
    const load = createRequire(__filename);
    const { ZxcvbnFactory: Factory } = load('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const { adjacencyGraphs, dictionary } = load('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    zxcvbn = new Factory({ dictionary, graphs: adjacencyGraphs });
  }
  return zxcvbn;
}

/** A squashed lower-case form, so "Acme Partners" is found in "acmepartners2026!". */
const squash = (v: string) => v.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * Why a new password is refused, or null. Long enough, at most 72 bytes (bcrypt's limit, never
 * truncated), not a common password, and not built from the partner's name or the email.
 */
export function passwordProblem(password: string, context: { email: string; partnerNames: string[] }): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (passwordTooLong(password)) return `Use at most ${MAX_PASSWORD_BYTES} bytes (fewer when it has accents or symbols).`;
  const pw = squash(password);
  const local = squash(context.email.split('@')[0] ?? '');
  if (local.length >= 3 && pw.includes(local)) return 'Do not use the name of your email address in the password.';
  for (const name of context.partnerNames) {
    const n = squash(name);
    if (n.length >= 3 && pw.includes(n)) return 'Do not use the partner’s name in the password.';
  }
  const result = estimator().check(password, [context.email, local, ...context.partnerNames]);
  if (result.score < 3) return 'This password is too common or too easy to guess. Add more unrelated words.';
  return null;
}

/** The form of a new password typed twice (reset, invitation). */
export const newPasswordForm = z.object({ password: z.string().max(1024), confirm: z.string().max(1024) });

/** Field errors for a new password typed twice (fields `password` and `confirm`), or null. */
export function newPasswordErrors(
  password: string,
  confirm: string,
  context: { email: string; partnerNames: string[] },
): Record<string, string> | null {
  const problem = passwordProblem(password, context);
  if (problem) return { password: problem };
  if (password !== confirm) return { confirm: 'The two passwords are not the same.' };
  return null;
}
