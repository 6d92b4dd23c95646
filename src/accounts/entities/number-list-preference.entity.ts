import { Entity, Enum, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../database/base.entity';

export const NUMBER_LIST_VIEWS = ['table', 'cards'] as const;
export type NumberListView = (typeof NUMBER_LIST_VIEWS)[number];

/**
 * How a person likes the list of numbers laid out (table or cards), remembered across
 * devices. `user_id` is auth's user as a plain id: accounts stands below auth's neighbours
 * and never reads the user table. Written with hand-written SQL (list-preferences.service.ts).
 */
@Entity({ tableName: 'number_list_preference' })
export class NumberListPreference extends BaseEntity {
  @Property({ type: 'string', length: 22, unique: true })
  userId: string;

  @Enum({ items: [...NUMBER_LIST_VIEWS], type: 'string' })
  view: NumberListView;

  constructor(userId: string, view: NumberListView) {
    super();
    this.userId = userId;
    this.view = view;
  }
}
