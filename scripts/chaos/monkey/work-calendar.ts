/**
 * Work days and work hours in an IANA time zone, from the Intl API alone (no time-zone database of our
 * own): which local day an instant falls on, whether it is a weekday, and the instants at which that day's
 * work hours start and end, correct across daylight-saving changes (a day's window is 6 h of wall-clock
 * time, whatever its UTC offset).
 */

const DAY_MS = 86_400_000;

export interface LocalDay {
  /** The local calendar date, YYYY-MM-DD. */
  readonly date: string;
  /** 0 = Monday … 6 = Sunday. */
  readonly weekday: number;
  /**
   * Counts weekdays: consecutive weekdays have consecutive numbers, and a weekend day shares the number of
   * the Monday after it. Gaps "in work days" are differences of these numbers.
   */
  readonly workDayNumber: number;
  readonly isWorkDay: boolean;
}

export interface WorkWindow {
  readonly startMs: number;
  /** Exclusive. */
  readonly endMs: number;
}

/** True when `timeZone` is an IANA zone this runtime knows (Intl throws a RangeError otherwise). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export class WorkCalendar {
  private readonly format: Intl.DateTimeFormat;

  constructor(
    readonly timeZone: string,
    readonly startHour: number,
    readonly endHour: number,
  ) {
    if (!isKnownTimeZone(timeZone)) throw new RangeError(`unknown time zone ${timeZone}`);
    if (!(startHour >= 0 && startHour < endHour && endHour <= 24)) {
      throw new RangeError(`work hours must satisfy 0 ≤ start < end ≤ 24 (got ${startHour}–${endHour})`);
    }
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** The local day `instantMs` falls on. */
  dayOf(instantMs: number): LocalDay {
    const parts = this.parts(instantMs);
    return this.day(parts.year, parts.month, parts.day);
  }

  /** The local wall-clock hour (0–23) at `instantMs`. */
  hourOf(instantMs: number): number {
    return this.parts(instantMs).hour;
  }

  /** The work hours of the local day `day` as instants. */
  windowOf(day: LocalDay): WorkWindow {
    const [year, month, date] = day.date.split('-').map(Number) as [number, number, number];
    return {
      startMs: this.instantOf(year, month, date, this.startHour),
      endMs: this.instantOf(year, month, date, this.endHour),
    };
  }

  /** The first work day that starts after `instantMs`'s local day (tomorrow, or Monday after a Friday). */
  nextWorkDay(instantMs: number): LocalDay {
    const today = this.dayOf(instantMs);
    const [year, month, date] = today.date.split('-').map(Number) as [number, number, number];
    for (let ahead = 1; ahead <= 7; ahead++) {
      const civil = new Date(Date.UTC(year, month - 1, date + ahead));
      const candidate = this.day(civil.getUTCFullYear(), civil.getUTCMonth() + 1, civil.getUTCDate());
      if (candidate.isWorkDay) return candidate;
    }
    throw new Error('no weekday within a week'); // unreachable: every week has five
  }

  private day(year: number, month: number, date: number): LocalDay {
    // Days since 1970-01-01 (a Thursday) of the civil date; shifted by 3 so that 0 is a Monday.
    const sinceMonday = Math.round(Date.UTC(year, month - 1, date) / DAY_MS) + 3;
    const weekday = ((sinceMonday % 7) + 7) % 7;
    const weeks = Math.floor(sinceMonday / 7);
    return {
      date: `${year}-${String(month).padStart(2, '0')}-${String(date).padStart(2, '0')}`,
      weekday,
      workDayNumber: weeks * 5 + Math.min(weekday, 5),
      isWorkDay: weekday < 5,
    };
  }

  /**
   * The instant whose local wall-clock time is year-month-date hour:00 (hour 24 is the next midnight).
   * The zone's offset is read at a first guess and again at the result, which settles it on either side of
   * a daylight-saving change; a wall time that does not exist (inside a spring-forward gap) comes out an
   * hour later, as clocks show it.
   */
  private instantOf(year: number, month: number, date: number, hour: number): number {
    const wall = Date.UTC(year, month - 1, date, hour);
    let instant = wall - this.offsetMs(wall);
    instant = wall - this.offsetMs(instant);
    return instant;
  }

  /** Local wall-clock time minus UTC at `instantMs`. */
  private offsetMs(instantMs: number): number {
    const parts = this.parts(instantMs);
    const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return asUtc - Math.floor(instantMs / 1000) * 1000;
  }

  private parts(instantMs: number) {
    const fields: Record<string, string> = {};
    for (const part of this.format.formatToParts(instantMs)) fields[part.type] = part.value;
    return {
      year: Number(fields.year),
      month: Number(fields.month),
      day: Number(fields.day),
      hour: Number(fields.hour),
      minute: Number(fields.minute),
      second: Number(fields.second),
    };
  }
}
