import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { canonicalEmail, emailProblem } from './email';
import { UNSAFE_TEXT } from './unsafe-text';

export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/**
 * Reads a url-encoded form against a zod object of string fields. A malformed request
 * (unknown field, repeated field or `field[]=`, not a string) is a 400; a value that breaks a
 * rule gives field errors for the form to re-render with a 422.
 */
export function parseForm<S extends z.ZodObject>(schema: S, body: unknown): FormResult<z.output<S>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException('The form could not be read.');
  }
  const allowed = new Set([...Object.keys(schema.shape), '_csrf']);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (!allowed.has(key)) throw new BadRequestException(`Unexpected field "${key.slice(0, 40)}".`);
    if (typeof value !== 'string') throw new BadRequestException(`The field "${key.slice(0, 40)}" must be given once.`);
    if (key !== '_csrf') values[key] = value;
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return { ok: false, errors, values };
}

/** A trimmed, required single-line text field of at most `max` characters. */
export function text(label: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${label} is required.`)
    .max(max, `${label} must be at most ${max} characters.`)
    .refine((v) => !UNSAFE_TEXT.test(v), `${label} contains characters that are not allowed.`);
}

/**
 * An email address in its canonical form (see common/email.ts): refused with the sentence that
 * says why when it could pass for another address, so every stored address is canonical and
 * the unique index on user.email holds one row per person.
 */
export function email() {
  return z
    .string()
    .superRefine((v, ctx) => {
      const problem = emailProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((v) => canonicalEmail(v));
}
