import { Controller, Get, Render } from '@nestjs/common';

@Controller()
export class AccountsController {
  @Get('accounts')
  @Render('accounts/index')
  index() {
    return { title: 'WhatsApp Accounts' };
  }
}
