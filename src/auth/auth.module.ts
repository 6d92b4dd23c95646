import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../audit/audit.module';
import { RequestsModule } from '../common/requests.module';
import { DatabaseModule } from '../database/database.module';
import { MailModule } from '../mail/mail.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LocalStrategy } from './local.strategy';
import { Membership } from './entities/membership.entity';
import { SessionRecord } from './entities/session.entity';
import { UserToken } from './entities/user-token.entity';
import { User } from './entities/user.entity';
import { PasswordsController } from './passwords.controller';
import { PasswordsService } from './passwords.service';
import { ProfileController } from './profile.controller';
import { TokensService } from './tokens.service';

export const AUTH_ENTITIES = [User, Membership, UserToken, SessionRecord];

@Module({
  imports: [
    MikroOrmModule.forFeature(AUTH_ENTITIES),
    PassportModule,
    DatabaseModule,
    AuditModule,
    MailModule,
    RequestsModule,
    ThrottleModule,
  ],
  controllers: [AuthController, PasswordsController, ProfileController],
  providers: [AuthService, TokensService, PasswordsService, LocalStrategy],
  exports: [AuthService, TokensService, PasswordsService],
})
export class AuthModule {}
