import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { AuthService } from './auth.service';
import type { User } from './entities/user.entity';

/** Email and password, the sign-in form's fields: the user, or false whatever the reason. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password' });
  }

  async validate(email: string, password: string): Promise<User | false> {
    return (await this.auth.verifyCredentials(email, password)) ?? false;
  }
}
