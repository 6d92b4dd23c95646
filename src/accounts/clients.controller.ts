import { Controller, Get, NotFoundException, Param, Query, Render, Req } from '@nestjs/common';
import { FormInvalid } from '../common/form-invalid';
import type { HubRequest } from '../common/http';
import { accountsListPath, clientView } from './accounts.presenter';
import { AccountsService } from './accounts.service';
import { NumberList } from './number-list.service';

/** A client's page: who the client is, its WABA accounts, and its numbers in the same list as WhatsApp Accounts. */
@Controller('clients')
export class ClientsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly list: NumberList,
  ) {}

  @Get(':id')
  @Render('accounts/client')
  async show(@Req() req: HubRequest, @Param('id') id: string, @Query() query: Record<string, unknown>) {
    const member = req.member!;
    // Unknown and another partner's clients look the same.
    const client = await this.accounts.client(member.partnerId, id);
    if (!client) throw new NotFoundException();
    // The crumb goes back to WhatsApp Accounts as it was, when the link that opened the page says how
    // (`back`); the page's own links (pager, sorts, filters, search) keep it.
    const back = accountsListPath(query.back);
    const [wabas, list] = await Promise.all([
      this.accounts.clientWabas(member.partnerId, id),
      this.list.view(member, query, { basePath: `/clients/${client.id}`, clientId: client.id, recentChoice: req.session.listView, back }),
    ]);
    const page = { title: client.name, client: clientView(client, wabas), listHref: back ?? '/accounts', ...list };
    // A search it could not use: the page again with the search's error, as a form sent back (422).
    if (page.errors.q) throw new FormInvalid('accounts/client', page);
    return page;
  }
}
