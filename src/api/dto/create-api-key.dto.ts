import { z } from 'zod';
import { isCalendarDate } from '../../common/dates';
import { text } from '../../common/forms';
import { newId } from '../../common/ids';
import { API_SCOPES } from '../entities/api-key.entity';

/** A new-key form's id, as newId() makes it. */
const FORM_ID = /^[\w-]{22}$/;

/** The form's id when it came back well formed, or a new one (a form shown again keeps its id). */
export function keyFormId(sent: string | undefined): string {
  return sent !== undefined && FORM_ID.test(sent) ? sent : newId();
}

/** The form of a new key: a name, a scope, and an optional last day (YYYY-MM-DD, UTC). */
export const createApiKeyForm = z.object({
  name: text('Name', 100),
  scope: z.enum(API_SCOPES, { message: 'Choose read or read and write.' }),
  expires: z
    .string()
    .trim()
    .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && isCalendarDate(v)), 'Enter a date like 2027-01-31.')
    .optional(),
  /** The form's own id, made when it was shown: the same form sent twice makes one key. */
  form: z.string().regex(FORM_ID).optional().catch(undefined),
});

/** A key with a last day works until the end of that day (UTC): the start of the next one. */
export function expiryOf(day: string | undefined): Date | null {
  if (!day) return null;
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000);
}
