import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { newId } from '../common/ids';
import { Recent } from '../common/recent';
import { Sql } from '../database/sql';
import { NUMBER_LIST_VIEWS, type NumberListView } from './entities/number-list-preference.entity';

export const DEFAULT_VIEW: NumberListView = 'table';

export const isNumberListView = (value: unknown): value is NumberListView => (NUMBER_LIST_VIEWS as readonly unknown[]).includes(value);

/**
 * How long a process keeps a person's layout: one chosen in another process or instance
 * shows there within this time, in this one at once.
 */
export const KEEP_VIEW_MS = 30_000;

/**
 * A layout this browser chose lately, kept in its session: every process shows it at once,
 * while another may still keep the one before (KEEP_VIEW_MS).
 */
export interface RecentChoice {
  view: string;
  /** When it was chosen, epoch ms. */
  at: number;
}

/** The layout each person chose for the list of numbers: the table (the default) or cards. */
@Injectable()
export class ListPreferences {
  /** Every list page asks: a read per page saved (a round trip of six on PostgreSQL). */
  private readonly kept = new Recent<NumberListView>(KEEP_VIEW_MS);
  /** Counts this process's choices: a read that a choice overtook keeps nothing. */
  private choices = 0;

  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
  ) {}

  async view(userId: string, recent?: RecentChoice): Promise<NumberListView> {
    const now = this.clock.now().getTime();
    if (recent && isNumberListView(recent.view) && now - recent.at < KEEP_VIEW_MS) return recent.view;
    const kept = this.kept.get(userId, now);
    if (kept) return kept;
    const choices = this.choices;
    const [row] = await this.sql.all<{ view: string }>('select view from number_list_preference where user_id = ?', [userId]);
    const view = isNumberListView(row?.view) ? row.view : DEFAULT_VIEW;
    if (choices === this.choices) this.kept.set(userId, view, now);
    return view;
  }

  /** Saves the person's choice; what the choosing browser keeps in its session (see RecentChoice). */
  async setView(userId: string, view: NumberListView): Promise<RecentChoice> {
    const now = this.clock.now();
    this.choices++;
    await this.sql.run(
      `insert into number_list_preference (id, created_at, updated_at, user_id, view) values (?, ?, ?, ?, ?)
       on conflict (user_id) do update set view = excluded.view, updated_at = excluded.updated_at`,
      [newId(), now, now, userId, view],
    );
    this.kept.set(userId, view, now.getTime());
    return { view, at: now.getTime() };
  }
}
