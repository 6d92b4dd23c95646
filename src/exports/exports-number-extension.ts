import { Injectable, type OnModuleInit } from '@nestjs/common';
import { NumberExtensions, type NumberExtension } from '../accounts/number-extensions.service';
import type { CurrentMember } from '../common/http';
import { ExportBudget } from './export-budget.service';

/** What exports adds to the accounts list: how many rows the person may still download, when little is left. */
@Injectable()
export class ExportsNumberExtension implements NumberExtension, OnModuleInit {
  constructor(
    private readonly extensions: NumberExtensions,
    private readonly budget: ExportBudget,
  ) {}

  onModuleInit(): void {
    this.extensions.register(this);
  }

  listNotice(member: CurrentMember): Promise<string | null> {
    return this.budget.notice(member);
  }
}
