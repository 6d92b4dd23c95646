import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { CurrentMember } from '../common/http';
import { Recent } from '../common/recent';
import { formatInstant } from '../common/time-zones';
import { formatCount } from '../common/view-helpers';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Sql, sqlDate } from '../database/sql';
import { ExportLimitReached } from './exports.errors';

export const EXPORT_AUDIT_ACTION = 'accounts.exported';
const HOUR_MS = 3_600_000;
/** The list says what is left once less than this share of the hour's rows remains. */
const NOTICE_BELOW = 0.2;
/**
 * The list page's notice reads a person's downloads at most this often per process: a
 * download recorded by another process or instance shows in it within this time, one of this
 * process at once. A download itself always reads them.
 */
export const NOTICE_READ_EVERY_MS = 10_000;

interface Spent {
  /** When the download was recorded (epoch ms): it stops counting an hour later. */
  at: number;
  rows: number;
}

/**
 * What one person may download: rows in a rolling hour, in any number of files. A download
 * costs the rows it wrote, as its Activity event records them (every instance sees those);
 * one running in this process counts at its size, counted when it starts, until it is
 * recorded, so downloads started together cannot all pass. As with any limit read from
 * recorded events, instances do not see each other's downloads still running.
 */
@Injectable()
export class ExportBudget {
  readonly rowsPerHour: number;
  /** Rows of downloads running in this process, per person. */
  private readonly running = new Map<string, number>();
  /** The downloads the notice last read, per person. */
  private readonly noticed = new Recent<Spent[]>(NOTICE_READ_EVERY_MS);
  /** Downloads whose Activity event could not be written, per person: this process counts them for their hour. */
  private readonly unrecorded = new Map<string, Spent[]>();

  constructor(
    private readonly sql: Sql,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.rowsPerHour = config.exports.rowsPerHour;
  }

  /**
   * Takes `rows` from the person's hour, or throws ExportLimitReached (a 429 with Retry-After).
   * A download fits when it is no larger than what is left; a file larger than the whole
   * budget fits only when nothing else was downloaded within the hour. An empty one always
   * fits. Returns the release, called once the download is recorded (or failed to start).
   */
  async reserve(member: Pick<CurrentMember, 'userId' | 'timeZone'>, rows: number): Promise<() => void> {
    if (rows === 0) return () => undefined;
    // Counted before the check, so that a download started meanwhile sees this one.
    const others = this.running.get(member.userId) ?? 0;
    this.running.set(member.userId, others + rows);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      // Recorded now (or never started): the notice reads again.
      this.noticed.delete(member.userId);
      const left = (this.running.get(member.userId) ?? rows) - rows;
      if (left > 0) this.running.set(member.userId, left);
      else this.running.delete(member.userId);
    };
    try {
      const now = this.clock.now().getTime();
      const spent = await this.spent(member.userId, now);
      const used = others + spent.reduce((n, s) => n + s.rows, 0);
      if (!this.fits(used, rows)) {
        const freeAt = this.freeAt(spent, used, rows, now);
        throw new ExportLimitReached(Math.max(1, Math.ceil((freeAt - now) / 1000)), {
          used: formatCount(used),
          perHour: formatCount(this.rowsPerHour),
          rows: formatCount(rows),
          at: formatInstant(new Date(freeAt), member.timeZone),
        });
      }
      return release;
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * What the list page says when little is left: "You can download 150,000 more rows until
   * 30 Nov 2026, 16:40 CET." (when the oldest download of the hour stops counting). Null while
   * at least a fifth of the hour's rows is left.
   */
  async notice(member: CurrentMember): Promise<string | null> {
    const now = this.clock.now().getTime();
    let spent = this.noticed.get(member.userId, now)?.filter((s) => s.at > now - HOUR_MS);
    if (!spent) {
      spent = await this.spent(member.userId, now);
      this.noticed.set(member.userId, spent, now);
    }
    const used = (this.running.get(member.userId) ?? 0) + spent.reduce((n, s) => n + s.rows, 0);
    const left = Math.max(0, this.rowsPerHour - used);
    if (left >= this.rowsPerHour * NOTICE_BELOW || spent.length === 0) return null;
    const until = formatInstant(new Date(spent[0].at + HOUR_MS), member.timeZone);
    return left > 0
      ? `You can download ${formatCount(left)} more row${left === 1 ? '' : 's'} until ${until}, when your oldest download of the last hour stops counting.`
      : `You have downloaded ${formatCount(used)} rows in the last hour, the most allowed: you can download more from ${until}.`;
  }

  private fits(used: number, rows: number): boolean {
    return rows === 0 || used + rows <= this.rowsPerHour || used === 0;
  }

  /**
   * When the download fits: as the recorded downloads turn an hour old, oldest first. If only
   * downloads still running stand in the way, an hour from now (they are recorded when they end).
   */
  private freeAt(spent: Spent[], used: number, rows: number, now: number): number {
    let left = used;
    for (const s of spent) {
      left -= s.rows;
      if (this.fits(left, rows)) return s.at + HOUR_MS;
    }
    return now + HOUR_MS;
  }

  /**
   * A finished download the audit log could not record (a database failure): without its
   * event it would cost nothing. This process counts it for its hour; other instances do not
   * see it, as they do not see downloads still running.
   */
  countUnrecorded(userId: string, rows: number): void {
    if (rows === 0) return;
    this.unrecorded.set(userId, [...(this.unrecorded.get(userId) ?? []), { at: this.clock.now().getTime(), rows }]);
  }

  /** The person's downloads of the last hour that cost something, oldest first: recorded, and this process's unrecorded ones. */
  private async spent(userId: string, now: number): Promise<Spent[]> {
    const unrecorded = (this.unrecorded.get(userId) ?? []).filter((s) => s.at > now - HOUR_MS);
    if (unrecorded.length) this.unrecorded.set(userId, unrecorded);
    else this.unrecorded.delete(userId);
    return [...unrecorded, ...(await this.recorded(userId, now))].sort((a, b) => a.at - b.at);
  }

  /** The person's recorded downloads of the last hour that cost something, oldest first. */
  private async recorded(userId: string, now: number): Promise<Spent[]> {
    const events = await this.sql.all<{ at: unknown; data: unknown }>(
      `select created_at as "at", data as "data" from audit_event
        where actor_id = ? and action = ? and created_at > ? order by created_at asc`,
      [userId, EXPORT_AUDIT_ACTION, new Date(now - HOUR_MS)],
    );
    const out: Spent[] = [];
    for (const e of events) {
      const rows = rowsOf(e.data);
      if (rows > 0) out.push({ at: sqlDate(e.at).getTime(), rows });
    }
    return out;
  }
}

/** The rows an export event records (its data is JSON text on SQLite, an object on PostgreSQL). */
function rowsOf(data: unknown): number {
  try {
    const value = typeof data === 'string' ? (JSON.parse(data) as { rows?: unknown }) : (data as { rows?: unknown } | null);
    const rows = Number(value?.rows);
    return Number.isFinite(rows) && rows > 0 ? rows : 0;
  } catch {
    return 0;
  }
}
