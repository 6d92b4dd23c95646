import { Migration } from '@mikro-orm/migrations';

/** Operator keys (the operator API): the public key id (unique, the lookup) and the hash of the secret. */
export class Migration20261130171000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      'create table `operator_key` (`id` text not null, `created_at` datetime not null, `updated_at` datetime not null, `name` text not null, `key_id` text not null, `secret_hash` text not null, `expires_at` datetime null, `revoked_at` datetime null, `last_used_at` datetime null, primary key (`id`));',
    );
    this.addSql('create unique index `operator_key_key_id_unique` on `operator_key` (`key_id`);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists `operator_key`;');
  }
}
