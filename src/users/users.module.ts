import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { PartnersModule } from '../partners/partners.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { InvitationsController } from './invitations.controller';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [AuthModule, AuditModule, PartnersModule, ThrottleModule],
  controllers: [UsersController, InvitationsController],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
