import { Controller, Get, NotFoundException, Param, Query, Render, Req } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { HubRequest } from '../common/http';
import { detailsView, filterForm, groupByClient, historyView, summaryView } from './accounts.presenter';
import { AccountsService } from './accounts.service';
import { NumberExtensions } from './number-extensions.service';
import { decodeCursor, filterQueryString, isFiltered, parseNumberFilter } from './number-filter';

/** WhatsApp Accounts: the list of a partner's numbers and one number's details. */
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly extensions: NumberExtensions,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('accounts/index')
  async index(@Req() req: HubRequest, @Query() query: Record<string, unknown>) {
    const partnerId = req.member!.partnerId;
    const filter = parseNumberFilter(query);
    const cursor = decodeCursor(query.after, filter.sort);
    const [page, summary] = await Promise.all([this.accounts.page(partnerId, filter, cursor), this.accounts.summary(partnerId)]);
    const now = this.clock.now();
    const notes = await this.extensions.notes(partnerId, page.numbers, now);
    const filtered = isFiltered(filter);
    return {
      title: 'WhatsApp Accounts',
      groups: groupByClient(page.numbers, now, notes),
      form: filterForm(filter),
      summary: summaryView(summary),
      csvHref: `/accounts/export.csv${filterQueryString(filter)}`,
      filtered,
      nextHref: page.next ? `/accounts${filterQueryString(filter, { after: page.next })}` : undefined,
      firstHref: cursor ? `/accounts${filterQueryString(filter)}` : undefined,
      empty: page.numbers.length === 0,
      emptyKind: page.numbers.length ? undefined : summary.total === 0 && !filtered ? 'none' : cursor ? 'end' : 'no-match',
    };
  }

  @Get(':id')
  @Render('accounts/show')
  async show(@Req() req: HubRequest, @Param('id') id: string) {
    // Unknown, another partner's and removed numbers all look the same: not found (a malformed
    // id never gets here: PathParamsPipe).
    const member = req.member!;
    const number = await this.accounts.findVisible(member.partnerId, id);
    if (!number) throw new NotFoundException();
    const now = this.clock.now();
    const [history, notes, sections] = await Promise.all([
      this.accounts.history(member.partnerId, number.id),
      this.extensions.notes(member.partnerId, [number], now),
      this.extensions.sections(member, number, now),
    ]);
    const view = detailsView(number, now, notes.get(number.id));
    return { title: `${view.phone.formatted} · ${number.clientName}`, view, history: historyView(history), sections };
  }
}
