import type { LoggerService } from '@nestjs/common';
import type { LogFormat, LogLevel } from '../config/execution-queue.options.js';

const SEVERITY: Record<LogLevel | 'fatal', number> = { fatal: 0, error: 0, warn: 1, info: 2, debug: 3, verbose: 4 };
type NestLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/**
 * Nest logger that writes readable lines by default and one JSON object per line with
 * `LOG_FORMAT=json`, dropping anything below `LOG_LEVEL`.
 */
export class StructuredLogger implements LoggerService {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly format: LogFormat = 'text',
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.emit('fatal', message, rest);
  }

  private emit(nestLevel: NestLevel, message: unknown, rest: unknown[]): void {
    const level: LogLevel | 'fatal' = nestLevel === 'log' ? 'info' : nestLevel;
    if (SEVERITY[level] > SEVERITY[this.level]) return;
    // Nest passes the context as the last string argument, and a stack before it for errors.
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const stack = nestLevel === 'error' && rest.length >= 2 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields = message !== null && typeof message === 'object' && !(message instanceof Error) ? message : undefined;
    const text = message instanceof Error ? message.message : fields ? (fields as { msg?: string }).msg ?? '' : String(message);
    const time = new Date().toISOString();
    if (this.format === 'json') {
      this.write(JSON.stringify({ time, level, context, msg: text, ...(fields ?? {}), ...(stack ? { stack } : {}) }));
      return;
    }
    const { msg: _shown, ...details } = (fields ?? {}) as { msg?: unknown };
    const extra = Object.keys(details).length > 0 ? ` ${JSON.stringify(details)}` : '';
    this.write(`${time} ${level.toUpperCase().padEnd(5)} ${context ? `[${context}] ` : ''}${text}${extra}${stack ? `\n${stack}` : ''}`);
  }
}
