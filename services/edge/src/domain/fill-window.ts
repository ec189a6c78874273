/**
 * The daily window in which an appliance takes proactive fill (Open Connect fills in the local off-peak
 * hours, e.g. 02:00–14:00), as "HH:MM-HH:MM" in an IANA time zone; a window may wrap past midnight
 * (22:00-04:00), and 00:00-24:00 is always open.
 */
export class FillWindow {
  private readonly localTime: Intl.DateTimeFormat;

  private constructor(
    readonly text: string,
    readonly timeZone: string,
    private readonly startMinute: number,
    private readonly endMinute: number,
  ) {
    this.localTime = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  }

  /** The window `text` in `timeZone`, or a reason it is none (a configuration error). */
  static parse(text: string, timeZone: string): FillWindow | { readonly problem: string } {
    const parts = /^(?<from>\d{2}):(?<fromMinute>\d{2})-(?<to>\d{2}):(?<toMinute>\d{2})$/.exec(text.trim())?.groups;
    if (!parts) return { problem: 'expected HH:MM-HH:MM, e.g. 02:00-14:00' };
    const [fromHour, fromMinute, toHour, toMinute] = [parts.from, parts.fromMinute, parts.to, parts.toMinute].map(
      Number,
    ) as [number, number, number, number];
    const start = fromHour * 60 + fromMinute;
    const end = toHour * 60 + toMinute;
    if (fromMinute > 59 || toMinute > 59 || start >= 24 * 60 || end > 24 * 60 || start === end) {
      return { problem: 'expected two different times of day from 00:00 to 24:00' };
    }
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone });
    } catch {
      return { problem: `unknown time zone ${timeZone}` };
    }
    return new FillWindow(text.trim(), timeZone, start, end);
  }

  isOpen(at: Date): boolean {
    const [hour, minute] = this.localTime.format(at).split(':').map(Number) as [number, number];
    const local = hour * 60 + minute;
    return this.startMinute < this.endMinute
      ? local >= this.startMinute && local < this.endMinute
      : local >= this.startMinute || local < this.endMinute;
  }

  toString(): string {
    return `${this.text} ${this.timeZone}`;
  }
}
