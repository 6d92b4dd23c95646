import { recordStatements } from '../../bench/lib/statements';

/**
 * The text of every statement sent to the database (either kind) while `fn` runs, counted at
 * the drivers: the app's, and anything else this process sends meanwhile.
 */
export async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const recorder = recordStatements();
  try {
    await fn();
  } finally {
    recorder.stop();
  }
  return [...recorder.sent];
}
