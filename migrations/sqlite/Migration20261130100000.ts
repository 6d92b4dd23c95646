import { Migration } from '@mikro-orm/migrations';
import { canonicalEmail, emailProblem } from '../../src/common/email';

/**
 * Data only: stores every email in its canonical form (src/common/email.ts), so that the unique
 * index on user.email holds one row per person. A user whose canonical address another user
 * already has is a duplicate person: both rows stay as they are and a warning names them, for
 * the operator to merge by hand. The oldest account folds first.
 */
export class Migration20261130100000 extends Migration {
  override async up(): Promise<void> {
    const rows = (await this.execute('select "id", "email" from "user" order by "created_at", "id"')) as { id: string; email: string }[];
    const holder = new Map(rows.map((r) => [r.email, r.id]));
    let folded = 0;
    for (const { id, email } of rows) {
      const problem = emailProblem(email);
      if (problem) console.warn(`email fold: user ${id} has an address the app now refuses: ${problem}`);
      const canonical = canonicalEmail(email);
      if (canonical === email) continue;
      const other = holder.get(canonical);
      if (other !== undefined) {
        console.warn(`email fold: user ${id} left unchanged: user ${other} already has ${canonical}`);
        continue;
      }
      await this.execute('update "user" set "email" = ? where "id" = ?', [canonical, id]);
      holder.delete(email);
      holder.set(canonical, id);
      folded++;
    }
    if (folded) console.log(`email fold: ${folded} address(es) now stored in canonical form`);
  }

  override async down(): Promise<void> {
    // Nothing to undo: folding is not reversible (the old spellings are not kept), and the
    // canonical addresses are valid under the previous rules too.
  }
}
