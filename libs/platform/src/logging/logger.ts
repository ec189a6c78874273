import type { LoggerService } from '@nestjs/common';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

/** Adds fields to every line, e.g. the active trace and span ids. */
export type LogEnricher = () => LogFields | undefined;

/**
 * Structured logs: one JSON object per line on stdout, so that a log pipeline (or `jq`) can filter by
 * service, level and trace id without parsing prose.
 */
export class Logger {
  private static enrichers: LogEnricher[] = [];

  constructor(
    readonly service: string,
    private readonly level: LogLevel = 'info',
    private readonly bound: LogFields = {},
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  /** Registers a source of extra fields for every logger (telemetry uses this for trace ids). */
  static addEnricher(enricher: LogEnricher): void {
    Logger.enrichers.push(enricher);
  }

  child(fields: LogFields): Logger {
    return new Logger(this.service, this.level, { ...this.bound, ...fields }, this.write);
  }

  isEnabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.level];
  }

  debug(msg: string, fields?: LogFields): void {
    this.emit('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.emit('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.emit('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.emit('error', msg, fields);
  }

  private emit(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.isEnabled(level)) return;
    const line: LogFields = { time: new Date().toISOString(), level, service: this.service, msg };
    for (const enrich of Logger.enrichers) Object.assign(line, enrich());
    Object.assign(line, this.bound, fields);
    this.write(`${JSON.stringify(line, errorReplacer)}\n`);
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** Lets NestJS's own messages (module init, route mapping) come out as the same JSON lines. */
export class NestLoggerAdapter implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.debug(String(message), { context });
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error(String(message), { context, trace });
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn(String(message), { context });
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug(String(message), { context });
  }

  verbose(message: unknown, context?: string): void {
    this.logger.debug(String(message), { context });
  }
}
