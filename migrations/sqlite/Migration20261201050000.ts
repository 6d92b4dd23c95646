import { Migration } from '@mikro-orm/migrations';

/** The Partner API's Idempotency-Keys by expiry: housekeeping deletes every API key's expired ones. */
export class Migration20261201050000 extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index `api_idempotency_key_expires_at_index` on `api_idempotency_key` (`expires_at`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop index `api_idempotency_key_expires_at_index`;');
  }
}
