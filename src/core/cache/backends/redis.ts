/**
 * The Redis cache, as Django 4's `RedisCache`, on node-redis (`@redis/client`): what workers and
 * machines share. LOCATION is a URL, or a list of them: the first server takes the writes, reads
 * go to one of the others (replicas), as Django.
 *
 * - `redis://[[user]:[password]@]host[:port][/db]`, `rediss://...` (TLS)
 * - `unix://[[user]:[password]@]/path/to/redis.sock[?db=N]`
 *
 * OPTIONS (all optional): `db`, `username`, `password` (instead of the URL's);
 * `SOCKET_CONNECT_TIMEOUT` and `SOCKET_TIMEOUT`, in seconds (5 each; a command without a reply
 * in time fails); `CLIENT`, more options for node-redis's `createClient()` (TLS, a name).
 *
 * When Redis goes away, commands fail at once instead of queueing (node-redis's offline queue is
 * off), reads miss and writes reject with CacheUnavailable (base.ts), and the client reconnects
 * in the background (every 50 ms doubling to 2 s) until Redis is back. Values are stored as
 * utils/tagged-json text, so integers are stored as their digits and `incr()` is Redis's own
 * INCRBY (atomic, keeps the timeout). `clear()` removes the keys under this cache's KEY_PREFIX
 * (SCAN and UNLINK); only with a custom KEY_FUNCTION, whose keys it cannot recognise, does it
 * empty the whole database (FLUSHDB), which is what Django's does in every case.
 *
 * The client package is loaded when the cache is made (at start-up when a middleware uses it), not
 * when tsgi is imported.
 */
import { ImproperlyConfigured } from '../../exceptions.ts';
import { BaseCache, CacheUnavailable, defaultKeyFunc, notAnInteger, type CacheParams } from './base.ts';
import type * as RedisClientModule from '@redis/client';

type Client = ReturnType<typeof RedisClientModule.createClient>;
type Reply = string | number | null | Reply[];

/** The INCRBY of a key that exists; nil otherwise (Django's incr() raises for a missing key). */
const INCR_IF_EXISTS =
  "if redis.call('EXISTS', KEYS[1]) == 0 then return false end return redis.call('INCRBY', KEYS[1], ARGV[1])";

let clientModule: Promise<typeof RedisClientModule> | undefined;
/** The module once loaded, for `instanceof` on its errors. */
let loadedModule: typeof RedisClientModule | undefined;

function loadClientModule(): Promise<typeof RedisClientModule> {
  clientModule ??= import('@redis/client').then((module) => (loadedModule = module));
  return clientModule;
}

/** One server of LOCATION: its client, created and connected on first use. */
class Server {
  readonly url: string;
  readonly #options: Record<string, unknown>;
  #client: Client | undefined;
  #firstAttempt: Promise<void> | undefined;
  #lastError: Error | undefined;
  #inFlight = 0;

  constructor(url: string, options: Record<string, unknown>) {
    this.url = url;
    this.#options = options;
  }

  /** The connected client; rejects with the reason when Redis cannot be reached. */
  async client(): Promise<Client> {
    if (this.#client === undefined) {
      const { createClient } = await loadClientModule();
      if (this.#client === undefined) this.#start(createClient);
    }
    const client = this.#client!;
    if (client.isReady) return client;
    // Until the first attempt to connect has an outcome, wait for it (a fresh worker's first
    // request); afterwards, while Redis is away, fail at once: the client reconnects on its own.
    await this.#firstAttempt;
    if (client.isReady) return client;
    throw this.#lastError ?? new Error('not connected');
  }

  /**
   * Runs a command with the connection referenced: an idle connection does not keep the process
   * alive, so a script or a management command that used the cache exits when it is done.
   */
  async run<T>(command: (client: Client) => Promise<T>): Promise<T> {
    if (this.#inFlight++ === 0) this.#client?.ref();
    try {
      return await command(await this.client());
    } finally {
      if (--this.#inFlight === 0) this.#client?.unref();
    }
  }

  #start(createClient: typeof RedisClientModule.createClient): void {
    const client = createClient(this.#options as Parameters<typeof createClient>[0]);
    this.#client = client;
    if (this.#inFlight === 0) client.unref();
    let settle!: () => void;
    this.#firstAttempt = new Promise((resolve) => (settle = resolve));
    // An 'error' listener is required: without one, node-redis's errors would crash the process.
    client.on('error', (error: Error) => {
      this.#lastError = error;
      settle();
    });
    client.on('ready', () => {
      this.#lastError = undefined;
      settle();
    });
    client.connect().catch((error: unknown) => {
      this.#lastError = error as Error;
      settle();
    });
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#firstAttempt = undefined;
    if (client === undefined) return;
    try {
      if (client.isOpen) await client.close();
      else client.destroy();
    } catch {
      client.destroy();
    }
  }
}

function num(value: unknown, fallback: number): number {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : fallback;
}

/** node-redis options for one LOCATION URL and the cache's OPTIONS. */
function clientOptions(url: string, options: Record<string, unknown>, alias: string): Record<string, unknown> {
  const connectTimeout = num(options.SOCKET_CONNECT_TIMEOUT, 5) * 1000;
  const commandTimeout = num(options.SOCKET_TIMEOUT, 5) * 1000;
  const extra = (options.CLIENT ?? {}) as Record<string, unknown>;
  const socket: Record<string, unknown> = {
    connectTimeout,
    // Reconnect for ever, 50 ms doubling up to 2 s, with jitter so workers do not reconnect in step.
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) + Math.floor(Math.random() * 50),
    ...((extra.socket ?? {}) as Record<string, unknown>),
  };
  const base: Record<string, unknown> = {
    ...extra,
    disableOfflineQueue: true,
    commandOptions: { timeout: commandTimeout, rejectInFlight: true },
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badLocation(alias, url);
  }
  if (parsed.protocol === 'unix:') {
    const query = parsed.searchParams;
    socket.path = decodeURIComponent(parsed.pathname);
    if (parsed.username) base.username = decodeURIComponent(parsed.username);
    if (parsed.password) base.password = decodeURIComponent(parsed.password);
    if (query.has('db')) base.database = Number(query.get('db'));
  } else if (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') {
    base.url = url;
    if (parsed.searchParams.has('db')) base.database = Number(parsed.searchParams.get('db'));
  } else {
    throw badLocation(alias, url);
  }
  if (options.db !== undefined) base.database = Number(options.db);
  if (options.username !== undefined) base.username = String(options.username);
  if (options.password !== undefined) base.password = String(options.password);
  if (base.database !== undefined && !Number.isInteger(base.database)) {
    throw new ImproperlyConfigured(
      `The Redis cache '${alias}' names database ${JSON.stringify(base.database)}: a database is a number such as 0.`,
    );
  }
  base.socket = socket;
  return base;
}

function badLocation(alias: string, url: unknown): ImproperlyConfigured {
  return new ImproperlyConfigured(
    `The Redis cache '${alias}' has LOCATION ${JSON.stringify(url)}, which is not a Redis URL. Write ` +
      "'redis://127.0.0.1:6379', 'rediss://host:6380/1' or 'unix:///run/redis/redis.sock?db=0' (or a list: the first for writes, the others replicas).",
  );
}

/** A server-side error (an error reply, such as WRONGTYPE), as opposed to a connection problem. */
function isReplyError(error: unknown): boolean {
  return loadedModule !== undefined && error instanceof loadedModule.ErrorReply;
}

/** Escapes a key prefix for a SCAN MATCH pattern. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => '\\' + c);
}

/**
 * @example
 * CACHES = {
 *   default: { BACKEND: 'tsgi.core.cache.backends.redis.RedisCache', LOCATION: 'redis://127.0.0.1:6379/0' },
 * };
 */
export class RedisCache extends BaseCache {
  readonly #servers: Server[];
  readonly #customKeys: boolean;

  constructor(params: CacheParams) {
    super(params);
    const location = params.LOCATION;
    const urls = typeof location === 'string' ? location.split(/[;,]/).map((u) => u.trim()) : [...(location ?? [])];
    if (urls.length === 0 || urls.some((u) => typeof u !== 'string' || u === ''))
      throw badLocation(this.alias, location);
    const options = params.OPTIONS ?? {};
    this.#servers = urls.map((url) => new Server(url, clientOptions(url, options, this.alias)));
    this.#customKeys = this.keyFunc !== defaultKeyFunc;
    // Start loading the client package now (~200 ms, ~27 MiB: it brings every Redis command):
    // a cache made at start-up (by the cache or session middleware) spares the first request.
    loadClientModule().catch(() => {});
  }

  override describe(): string {
    return `RedisCache at ${this.#servers.map((s) => redact(s.url)).join(', ')}`;
  }

  /** The server for a command: the first for writes, a replica (when there are any) for reads. */
  #server(write: boolean): Server {
    const servers = this.#servers;
    if (write || servers.length === 1) return servers[0]!;
    return servers[1 + Math.floor(Math.random() * (servers.length - 1))]!;
  }

  /** Sends one command; a connection problem becomes CacheUnavailable, a reply error stays as it is. */
  async #send(write: boolean, args: string[]): Promise<Reply> {
    const server = this.#server(write);
    try {
      return (await server.run((client) => client.sendCommand(args))) as Reply;
    } catch (error) {
      if (isReplyError(error)) throw error;
      throw new CacheUnavailable(
        `The cache '${this.alias}' (RedisCache at ${redact(server.url)}) could not be reached: ${(error as Error).message}.`,
        { cause: error },
      );
    }
  }

  /** Several commands in one MULTI/EXEC transaction. */
  async #transaction(commands: string[][]): Promise<Reply[]> {
    const server = this.#server(true);
    try {
      return await server.run(async (client) => {
        const multi = client.multi();
        for (const command of commands) multi.addCommand(command);
        return (await multi.exec()) as unknown as Reply[];
      });
    } catch (error) {
      if (isReplyError(error)) throw error;
      throw new CacheUnavailable(
        `The cache '${this.alias}' (RedisCache at ${redact(server.url)}) could not be reached: ${(error as Error).message}.`,
        { cause: error },
      );
    }
  }

  protected async load(keys: readonly string[]): Promise<Array<string | undefined>> {
    if (keys.length === 1) {
      const text = await this.#send(false, ['GET', keys[0]!]);
      return [text === null ? undefined : String(text)];
    }
    const texts = (await this.#send(false, ['MGET', ...keys])) as Reply[];
    return texts.map((text) => (text === null ? undefined : String(text)));
  }

  protected async store(key: string, text: string, ttl: number | null, onlyIfAbsent: boolean): Promise<boolean> {
    const args = ['SET', key, text];
    if (ttl !== null) args.push('PX', String(Math.max(1, Math.round(ttl * 1000))));
    if (onlyIfAbsent) args.push('NX');
    return (await this.#send(true, args)) !== null;
  }

  protected override async storeMany(entries: ReadonlyArray<[string, string]>, ttl: number | null): Promise<string[]> {
    const expiry = ttl === null ? [] : ['PX', String(Math.max(1, Math.round(ttl * 1000)))];
    await this.#transaction(entries.map(([key, text]) => ['SET', key, text, ...expiry]));
    return [];
  }

  protected async retime(key: string, ttl: number | null): Promise<boolean> {
    if (ttl === null) {
      // PERSIST answers 0 for a key without a timeout too: EXISTS tells whether the key is there.
      const [exists] = await this.#transaction([
        ['EXISTS', key],
        ['PERSIST', key],
      ]);
      return Number(exists) === 1;
    }
    return Number(await this.#send(true, ['PEXPIRE', key, String(Math.max(1, Math.round(ttl * 1000)))])) === 1;
  }

  protected async remove(keys: readonly string[]): Promise<number> {
    return Number(await this.#send(true, ['DEL', ...keys]));
  }

  protected async increment(key: string, delta: number): Promise<number | undefined> {
    let reply: Reply;
    try {
      reply = await this.#send(true, ['EVAL', INCR_IF_EXISTS, '1', key, String(delta)]);
    } catch (error) {
      if (!isReplyError(error)) throw error;
      const text = await this.#send(false, ['GET', key]);
      throw notAnInteger(key, String(text));
    }
    return reply === null ? undefined : Number(reply);
  }

  protected async removeAll(): Promise<void> {
    if (this.#customKeys) {
      await this.#send(true, ['FLUSHDB']);
      return;
    }
    const pattern = `${globEscape(this.keyPrefix)}:*`;
    let cursor = '0';
    do {
      const [next, keys] = (await this.#send(true, ['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000'])) as [
        string,
        string[],
      ];
      cursor = String(next);
      if (keys.length > 0) await this.#send(true, ['UNLINK', ...keys]);
    } while (cursor !== '0');
  }

  override async close(): Promise<void> {
    await Promise.all(this.#servers.map((server) => server.close()));
  }
}

/** A URL without its password, for messages and logs. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
