import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { newId } from '../common/ids';
import { Sql } from '../database/sql';
import { NUMBER_LIST_VIEWS, type NumberListView } from './entities/number-list-preference.entity';

export const DEFAULT_VIEW: NumberListView = 'table';

export const isNumberListView = (value: unknown): value is NumberListView => (NUMBER_LIST_VIEWS as readonly unknown[]).includes(value);

/** The layout each person chose for the list of numbers: the table (the default) or cards. */
@Injectable()
export class ListPreferences {
  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  async view(userId: string): Promise<NumberListView> {
    const [row] = await this.sql.all<{ view: string }>('select view from number_list_preference where user_id = ?', [userId]);
    return isNumberListView(row?.view) ? row.view : DEFAULT_VIEW;
  }

  async setView(userId: string, view: NumberListView): Promise<void> {
    const now = this.clock.now();
    await this.sql.run(
      `insert into number_list_preference (id, created_at, updated_at, user_id, view) values (?, ?, ?, ?, ?)
       on conflict (user_id) do update set view = excluded.view, updated_at = excluded.updated_at`,
      [newId(), now, now, userId, view],
    );
  }
}
