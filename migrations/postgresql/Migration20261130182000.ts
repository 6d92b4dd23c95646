import { Migration } from '@mikro-orm/migrations';

/** A client's WABA accounts by client: the client page read every account of the hub to find them. */
export class Migration20261130182000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "waba_account_client_id_index" on "waba_account" ("client_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "waba_account_client_id_index";`);
  }
}
