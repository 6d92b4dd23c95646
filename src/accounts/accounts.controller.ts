import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Redirect,
  Render,
  Req,
} from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { FormInvalid } from '../common/form-invalid';
import type { HubRequest } from '../common/http';
import { detailsView, historyView, listPath, wayBack } from './accounts.presenter';
import { AccountsService } from './accounts.service';
import { NumberExtensions } from './number-extensions.service';
import { isNumberListView, ListPreferences } from './list-preferences.service';
import { NumberList } from './number-list.service';
import { RemovedNumbers } from './removed-numbers.service';
import { numberSupportHref } from './support-link';

/** WhatsApp Accounts: the list of a partner's numbers and one number's details. */
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly extensions: NumberExtensions,
    private readonly clock: Clock,
    private readonly removedNumbers: RemovedNumbers,
    private readonly list: NumberList,
    private readonly preferences: ListPreferences,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Render('accounts/index')
  async index(@Req() req: HubRequest, @Query() query: Record<string, unknown>) {
    const place = { basePath: '/accounts', recentChoice: req.session.listView };
    const page = { title: 'WhatsApp Accounts', ...(await this.list.view(req.member!, query, place)) };
    // A search it could not use: the page again with the search's error, as a form sent back (422).
    if (page.errors.q) throw new FormInvalid('accounts/index', page);
    return page;
  }

  /** The person's choice of layout (table or cards), remembered for them; back to the list they were on. */
  @Post('layout')
  @Redirect()
  async layout(@Req() req: HubRequest, @Body() body: Record<string, unknown>) {
    if (!isNumberListView(body.layout)) throw new BadRequestException('Choose the table or the cards.');
    // Kept in the session too: the list shows it at once, whichever process serves it next.
    req.session.listView = await this.preferences.setView(req.member!.userId, body.layout);
    return { url: listPath(body.return) ?? '/accounts', statusCode: 303 };
  }

  @Get(':id')
  @Render('accounts/show')
  async show(@Req() req: HubRequest, @Param('id') id: string, @Query('back') back: unknown) {
    // A number this partner had and that was removed says when and why it left (410); unknown
    // and another partner's numbers look the same: not found (a malformed id never gets here:
    // PathParamsPipe).
    const member = req.member!;
    const found = await this.accounts.findVisibleWithHistory(member.partnerId, id);
    if (!found) {
      const removed = await this.removedNumbers.page(member.partnerId, id);
      // Like auth's invalid link: a page of its own with its status, rendered by the HTML filter.
      if (!removed) throw new NotFoundException();
      const breadcrumb = wayBack(back, { id: removed.number.id, clientId: removed.number.clientId });
      throw new FormInvalid('accounts/removed', { ...removed, breadcrumb, values: {}, errors: {} }, 410);
    }
    const { number, history } = found;
    const now = this.clock.now();
    const [notes, sections] = await Promise.all([
      this.extensions.notes(member.partnerId, [number], now),
      this.extensions.sections(member, number, now),
    ]);
    const view = detailsView(number, now, notes.get(number.id));
    return {
      title: `${view.phone.formatted} · ${number.clientName}`,
      view,
      // The breadcrumb goes back to the list (or client page) the number was opened from, as it was;
      // the Danger Zone's pages carry it on.
      breadcrumb: wayBack(back, { id: number.id, clientId: number.client.id }),
      history: historyView(history),
      sections,
      supportHref: numberSupportHref(this.config.supportUrl, { phone: view.phone.formatted, providerId: number.providerId }),
    };
  }
}
