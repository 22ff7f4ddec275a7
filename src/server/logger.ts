/**
 * The error log: leveled lines in gunicorn's shape, `[time] [pid] [LEVEL] message`, written
 * synchronously (so a dying process loses nothing) to standard error or a file that USR1 reopens.
 */
import type { LOG_LEVELS } from './settings.ts';
// Not an ESM import: building node:fs's namespace runs its lazy getters (fs/promises, readline,
// streams), ~3.5 ms of every cold start (docs/performance.md, Framework, start-up).
const { closeSync, openSync, writeSync } = process.getBuiltinModule('node:fs');

export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 };

/** `[2026-11-24 18:20:01 +0000]`, the timestamp gunicorn's error log uses. */
export function errorLogTime(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const tz = `${sign}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${tz}`;
}

/** A log destination: `-` (the given standard fd) or a file opened for appending. */
export class LogFile {
  readonly target: string;
  #fd: number;
  readonly #stdFd: number;

  constructor(target: string, stdFd: number) {
    this.target = target;
    this.#stdFd = stdFd;
    this.#fd = target === '-' ? stdFd : openSync(target, 'a');
  }

  write(text: string): void {
    try {
      writeSync(this.#fd, text);
    } catch {
      // A closed stderr/stdout (EPIPE) must never take the server down.
    }
  }

  /** USR1: reopen the file, so that logrotate can move it away. */
  reopen(): void {
    if (this.target === '-') return;
    const old = this.#fd;
    this.#fd = openSync(this.target, 'a');
    if (old !== this.#stdFd) closeSync(old);
  }
}

/** The error log of one process. */
export class Logger {
  readonly file: LogFile;
  readonly #min: number;

  constructor(file: LogFile, level: LogLevel) {
    this.file = file;
    this.#min = RANK[level];
  }

  log(level: LogLevel, message: string): void {
    if (RANK[level] < this.#min) return;
    this.file.write(`[${errorLogTime()}] [${process.pid}] [${level.toUpperCase()}] ${message}\n`);
  }

  debug(message: string): void {
    this.log('debug', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  warning(message: string): void {
    this.log('warning', message);
  }
  error(message: string): void {
    this.log('error', message);
  }
  critical(message: string): void {
    this.log('critical', message);
  }
}
