import { Migration } from '@mikro-orm/migrations';

/** The layout each person chose for the list of numbers (table or cards), and the client page's index. */
export class Migration20261130141000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `number_list_preference` (`id` text not null, `created_at` datetime not null, `updated_at` datetime not null, `user_id` text not null, `view` text check (`view` in ('table', 'cards')) not null, primary key (`id`));",
    );
    this.addSql('create unique index `number_list_preference_user_id_unique` on `number_list_preference` (`user_id`);');
    this.addSql(
      'create index `whatsapp_number_partner_id_client_id_provider_created_at_id_index` on `whatsapp_number` (`partner_id`, `client_id`, `provider_created_at`, `id`);',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists `whatsapp_number_partner_id_client_id_provider_created_at_id_index`;');
    this.addSql('drop table if exists `number_list_preference`;');
  }
}
