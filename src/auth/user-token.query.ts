/**
 * Deletes up to `limit` tokens used or expired before the cutoff (given twice) that no pending
 * email links to: the mail worker makes that link's secret when it sends, and would find the
 * token gone (`on delete set null`). Picked and deleted in one statement, so that instances
 * running it at once delete nothing twice.
 */
export const OLD_TOKENS = `delete from user_token where id in (
  select t.id from user_token t
  where (t.consumed_at <= ? or t.expires_at <= ?)
    and not exists (select 1 from outbox_email o where o.token_id = t.id and o.status = 'pending')
  limit ?)`;
