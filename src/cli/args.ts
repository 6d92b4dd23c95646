import { UsageError } from './usage-error';

/** A whole number argument in [min, max]; anything else is a usage error (exit code 2). */
export function positiveInt(name: string, value: string, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${value}".`);
  }
  return Number(value);
}
