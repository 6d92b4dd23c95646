import { Controller, Get, Render } from '@nestjs/common';
import { FAMILIES, FAMILY_KEYS, statusAnchor } from '../statuses';

/** The Account statuses page: what every status means, generated from the one catalogue. */
@Controller('account-statuses')
export class AccountStatusesController {
  private readonly families = FAMILY_KEYS.map((key) => ({
    key,
    label: FAMILIES[key].label,
    description: FAMILIES[key].description,
    statuses: FAMILIES[key].statuses.map((s) => ({ ...s, anchor: statusAnchor(key, s.value) })),
  }));

  @Get()
  @Render('accounts/statuses')
  index() {
    return { title: 'Account statuses', families: this.families };
  }
}
