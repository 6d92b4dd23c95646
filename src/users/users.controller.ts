import { Controller, Get, Render } from '@nestjs/common';

@Controller('users')
export class UsersController {
  @Get()
  @Render('users/index')
  index() {
    return { title: 'Users' };
  }
}
