import { z } from 'zod';
import { text } from '../../common/forms';

/** The form of a new key: a name, a scope, and an optional last day (YYYY-MM-DD, UTC). */
export const createApiKeyForm = z.object({
  name: text('Name', 100),
  scope: z.enum(['read', 'read_write'], { message: 'Choose read or read and write.' }),
  expires: z
    .string()
    .trim()
    .refine(
      (v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))),
      'Enter a date like 2027-01-31.',
    )
    .optional(),
});

/** A key with a last day works until the end of that day (UTC): the start of the next one. */
export function expiryOf(day: string | undefined): Date | null {
  if (!day) return null;
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
}
