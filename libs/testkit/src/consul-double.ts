import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIPv4, type AddressInfo, type Socket } from 'node:net';

/**
 * A test-only double of the parts of a Consul agent's HTTP API that Streamplane uses, built on node:http:
 *
 * - `PUT /v1/agent/service/register` (JSON body as the `consul` npm client sends it, `?replace-existing-checks`)
 * - `PUT /v1/agent/service/deregister/<id>`
 * - `GET /v1/agent/services`
 * - `GET /v1/health/service/<name>` with `?passing`, `?tag`, and blocking queries (`?index` / `?wait`)
 *
 * It follows Consul where a client can tell the difference: PascalCase JSON in and out, new checks start
 * `critical`, re-registration keeps a check's current status, `?passing` drops instances with any non-passing
 * check, blocking queries park while the service's index is <= the requested index and return on a change, on
 * `wait` (+ up to wait/16 jitter) or when the index is reset (Consul returns at once after a snapshot restore),
 * `X-Consul-Index` is never below 1, errors are text/plain with Consul's messages and status codes.
 *
 * With `aclToken` it enforces ACLs as a Consul with `default_policy = "deny"` whose one token may do
 * everything: the token comes in `X-Consul-Token` (or `?token=`); an unknown token is refused on every
 * endpoint (403 "ACL not found"); without one (the anonymous token) writes are refused (403 "Permission
 * denied: anonymous token lacks permission 'service:write' on …") and reads answer without the instances it
 * may not see, flagged `X-Consul-Results-Filtered-By-ACLs: true`, as Consul's do. With `tls` it serves
 * HTTPS only (Consul's `ports.https`) with the given certificate.
 * Product code never uses this; tests drive it through its HTTP API and the helpers below.
 */

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface ConsulDoubleOptions {
  /** Cap for the wait= of blocking queries, default 10 s; tests use short waits. */
  maxWaitMs?: number;
  /** Status of a check registered over HTTP without `Status`; default 'critical', as in Consul. */
  initialStatus?: CheckStatus;
  /** Add Consul's random extra wait of up to wait/16 to blocking queries; default true. */
  jitter?: boolean;
  /** Node name of this agent; default 'consul-double'. */
  nodeName?: string;
  /** The one ACL token that may do everything; unset: ACLs disabled (a dev agent). */
  aclToken?: string;
  /** Serve HTTPS only, with this PEM certificate (chain) and key. */
  tls?: { cert: string; key: string };
}

export interface RegisteredCheck {
  checkId: string;
  name: string;
  /** Consul's check type: 'grpc', 'http', 'tcp', 'udp', 'ttl', 'h2ping', 'alias', 'script', 'docker', 'os_service'. */
  type: string;
  grpc?: string;
  grpcUseTls?: boolean;
  http?: string;
  tcp?: string;
  udp?: string;
  ttl?: string;
  interval?: string;
  timeout?: string;
  deregisterCriticalServiceAfter?: string;
  notes: string;
  status: CheckStatus;
  output: string;
  /** The check object exactly as it arrived in the registration body (PascalCase keys). */
  raw: Record<string, unknown>;
}

export interface RegisteredInstance {
  id: string;
  name: string;
  /** As registered; '' when the registration had no Address (clients then use the node's address). */
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  node: string;
  /** Registered with this agent (listed by /v1/agent/services, deregistrable through it). */
  local: boolean;
  /** The service's first check (the one `Check` registers); undefined when it has none. */
  check?: RegisteredCheck;
  checks: RegisteredCheck[];
  /** Worst status of its checks; 'passing' when it has none (Consul then only has the node's serfHealth). */
  status: CheckStatus;
  createIndex: number;
  modifyIndex: number;
  /** The registration body as received; undefined for instances added with register(). */
  raw?: Record<string, unknown>;
}

export interface RequestRecord {
  method: string;
  /** URL path as received (not decoded), e.g. '/v1/health/service/catalog'. */
  path: string;
  /** Query parameters (first value of each), e.g. { passing: 'true', index: '12', wait: '30s' }. */
  query: Record<string, string>;
  /** The ACL token the request carried (X-Consul-Token or ?token=); undefined: none. */
  token?: string;
}

export interface BlockingQueryRecord {
  service: string;
  /** The index the client asked to wait past. */
  index: number;
  /** How long it may be held, after Consul's defaults and jitter and the maxWaitMs cap. */
  waitMs: number;
  /** undefined while parked. 'changed': the index moved past `index`; 'timeout': wait elapsed; 'reset': resetIndex(); 'closed': the connection went away (client, goDown, stop). */
  outcome?: 'changed' | 'timeout' | 'reset' | 'closed';
}

const DATACENTER = 'dc1';
/** Set on a read whose answer left out what the request's token may not see. */
const ACL_FILTERED_HEADER = 'X-Consul-Results-Filtered-By-ACLs';
const DEFAULT_MAX_WAIT_MS = 10_000;
/** Consul: wait defaults to 5 minutes and is limited to 10 minutes. */
const CONSUL_DEFAULT_WAIT_MS = 5 * 60_000;
const CONSUL_MAX_WAIT_MS = 10 * 60_000;
const STATUSES: readonly CheckStatus[] = ['passing', 'warning', 'critical'];
const SEVERITY: Record<CheckStatus, number> = { passing: 0, warning: 1, critical: 2 };

interface CheckState extends RegisteredCheck {
  createIndex: number;
  modifyIndex: number;
}

interface InstanceState {
  id: string;
  name: string;
  address: string;
  port: number;
  tags: string[];
  /** null when registered without Meta: Consul's health endpoint then returns "Meta": null. */
  meta: Record<string, string> | null;
  node: string;
  checks: CheckState[];
  createIndex: number;
  modifyIndex: number;
  raw?: Record<string, unknown>;
}

interface NodeState {
  name: string;
  id: string;
  address: string;
  createIndex: number;
}

interface Waiter {
  service: string;
  minIndex: number;
  timer: NodeJS.Timeout;
  record: BlockingQueryRecord;
  respond: () => void;
}

interface ParkedListener {
  count: number;
  service?: string;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What a request may do under ACLs: everything (ACLs off, or the double's token), or what anonymous may. */
type Access = 'all' | 'anonymous';

interface Route {
  methods: string[];
  matches(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, access: Access): Promise<void> | void;
}

export class ConsulDouble {
  /** Every request received, in arrival order. */
  readonly requests: RequestRecord[] = [];
  /** Every blocking query that was parked, in order, with how it ended. */
  readonly blockingQueries: BlockingQueryRecord[] = [];

  private readonly options: Required<Omit<ConsulDoubleOptions, 'aclToken' | 'tls'>> &
    Pick<ConsulDoubleOptions, 'aclToken' | 'tls'>;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private stopped = false;
  private listenPort = 0;

  private raftIndex = 0;
  private readonly serviceIndexes = new Map<string, number>();
  /** Raft index of the last time a service lost its last instance (Consul's service_last_extinction). */
  private extinctionIndex: number | undefined;
  private readonly nodes = new Map<string, NodeState>();
  private readonly services = new Map<string, InstanceState>();
  private readonly waiters = new Set<Waiter>();
  private readonly parkedListeners = new Set<ParkedListener>();
  private readonly routes: Route[];

  private constructor(options: ConsulDoubleOptions) {
    this.options = {
      maxWaitMs: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      initialStatus: options.initialStatus ?? 'critical',
      jitter: options.jitter ?? true,
      nodeName: options.nodeName ?? 'consul-double',
      aclToken: options.aclToken,
      tls: options.tls,
    };
    if (!STATUSES.includes(this.options.initialStatus)) {
      throw new RangeError(`initialStatus must be one of ${STATUSES.join(', ')}`);
    }
    // The agent's own node joins the catalog first, like a fresh dev agent.
    this.raftIndex = 1;
    this.ensureNode(this.options.nodeName, '127.0.0.1', 1);
    this.routes = [
      exact('/v1/agent/service/register', ['PUT'], (req, res, url, access) =>
        this.handleRegister(req, res, url, access),
      ),
      prefix('/v1/agent/service/deregister/', ['PUT'], (_req, res, url, access) =>
        this.handleDeregister(res, url, access),
      ),
      exact('/v1/agent/services', ['GET'], (_req, res, _url, access) => this.handleAgentServices(res, access)),
      prefix('/v1/health/service/', ['GET'], (req, res, url, access) =>
        this.handleHealthService(req, res, url, access),
      ),
    ];
  }

  static async start(options: ConsulDoubleOptions = {}): Promise<ConsulDouble> {
    const double = new ConsulDouble(options);
    await double.listen(0);
    return double;
  }

  /** "127.0.0.1:<port>"; with `tls`, CONSUL_HTTP_ADDR is `url` (or this with CONSUL_HTTP_SSL=true). */
  get address(): string {
    return `127.0.0.1:${this.listenPort}`;
  }

  /** "http://127.0.0.1:<port>", or https:// with `tls`: usable as CONSUL_HTTP_ADDR. */
  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://${this.address}`;
  }

  get port(): number {
    return this.listenPort;
  }

  /** The current raft index (bumped by every change). */
  get index(): number {
    return this.raftIndex;
  }

  /** The X-Consul-Index a /v1/health/service/<name> query would answer with right now. */
  indexFor(serviceName: string): number {
    return this.queryIndex(serviceName);
  }

  /** Registered service instances with their check status, sorted by id. */
  instances(serviceName?: string): RegisteredInstance[] {
    return [...this.services.values()]
      .filter((instance) => serviceName === undefined || instance.name === serviceName)
      .sort((a, b) => compare(a.id, b.id))
      .map((instance) => this.snapshot(instance));
  }

  /**
   * Sets every check of the service to `status` (and `output`, if given), as a check run by the agent would.
   * A real change bumps the index and wakes the blocking queries on that service; setting the same status
   * again changes nothing, as in Consul.
   */
  setStatus(serviceId: string, status: CheckStatus, output?: string): void {
    if (!STATUSES.includes(status)) throw new RangeError(`status must be one of ${STATUSES.join(', ')}`);
    const instance = this.services.get(serviceId);
    if (!instance) throw new Error(`ConsulDouble: unknown service ID ${JSON.stringify(serviceId)}`);
    if (instance.checks.length === 0)
      throw new Error(`ConsulDouble: service ${JSON.stringify(serviceId)} has no checks`);
    const changed = instance.checks.filter(
      (check) => check.status !== status || (output !== undefined && check.output !== output),
    );
    if (changed.length === 0) return;
    const index = this.raftIndex + 1;
    for (const check of changed) {
      check.status = status;
      if (output !== undefined) check.output = output;
      check.modifyIndex = index;
    }
    this.commit(index, [instance.name]);
  }

  /**
   * Adds (or replaces) an instance directly, as another agent's registration would: it is on node `node`
   * (default `node-<id>`), so it shows in /v1/health/service but not in this agent's /v1/agent/services unless
   * `node` is this agent's node name. It has one gRPC check whose status defaults to 'passing'.
   */
  register(instance: {
    id: string;
    name: string;
    address: string;
    port: number;
    status?: CheckStatus;
    tags?: string[];
    meta?: Record<string, string>;
    node?: string;
  }): void {
    const status = instance.status ?? 'passing';
    if (!STATUSES.includes(status)) throw new RangeError(`status must be one of ${STATUSES.join(', ')}`);
    const index = this.raftIndex + 1;
    const nodeName = instance.node ?? `node-${instance.id}`;
    this.ensureNode(nodeName, instance.address, index);
    const previous = this.services.get(instance.id);
    const grpc = `${instance.address}:${instance.port}`;
    this.services.set(instance.id, {
      id: instance.id,
      name: instance.name,
      address: instance.address,
      port: instance.port,
      tags: [...(instance.tags ?? [])],
      meta: instance.meta ? { ...instance.meta } : null,
      node: nodeName,
      checks: [
        {
          checkId: `service:${instance.id}`,
          name: `Service '${instance.name}' check`,
          type: 'grpc',
          grpc,
          interval: '10s',
          notes: '',
          status,
          output: '',
          raw: { GRPC: grpc, Interval: '10s' },
          createIndex: index,
          modifyIndex: index,
        },
      ],
      createIndex: previous?.createIndex ?? index,
      modifyIndex: index,
    });
    this.commit(index, previous && previous.name !== instance.name ? [instance.name, previous.name] : [instance.name]);
  }

  /** Removes an instance directly (wherever it was registered); throws if there is none. */
  deregister(serviceId: string): void {
    const instance = this.services.get(serviceId);
    if (!instance) throw new Error(`ConsulDouble: unknown service ID ${JSON.stringify(serviceId)}`);
    this.services.delete(serviceId);
    this.commit(this.raftIndex + 1, [instance.name]);
  }

  /**
   * Makes the index go backwards (or anywhere >= 1), as after a Consul restart or a snapshot restore: every
   * index is lowered to at most `to`, and every parked blocking query returns at once with the new index, as
   * Consul's do when the state store is abandoned. Later queries with an index above it block until the index
   * climbs past it again (or wait elapses) - which is why clients must reset to 0 when the index goes back.
   */
  resetIndex(to: number): void {
    if (!Number.isInteger(to) || to < 1) throw new RangeError('resetIndex: the index must be an integer >= 1');
    this.raftIndex = to;
    for (const [name, index] of this.serviceIndexes) this.serviceIndexes.set(name, Math.min(index, to));
    if (this.extinctionIndex !== undefined) this.extinctionIndex = Math.min(this.extinctionIndex, to);
    for (const node of this.nodes.values()) node.createIndex = Math.min(node.createIndex, to);
    for (const instance of this.services.values()) {
      instance.createIndex = Math.min(instance.createIndex, to);
      instance.modifyIndex = Math.min(instance.modifyIndex, to);
      for (const check of instance.checks) {
        check.createIndex = Math.min(check.createIndex, to);
        check.modifyIndex = Math.min(check.modifyIndex, to);
      }
    }
    for (const waiter of [...this.waiters]) this.finish(waiter, 'reset');
  }

  /**
   * Simulates Consul being unreachable: stops listening (new connections are refused) and destroys every open
   * socket, parked blocking queries included (their clients see a reset / "socket hang up"). State is kept.
   */
  async goDown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const waiter of [...this.waiters]) this.drop(waiter);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Comes back on the same port with the same state (and index) after goDown(). */
  async comeBack(): Promise<void> {
    if (this.stopped) throw new Error('ConsulDouble: stopped');
    if (this.server) return;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.listen(this.listenPort);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }

  /** How many requests had `method` and a path starting with `pathPrefix`. */
  count(method: string, pathPrefix: string): number {
    const wanted = method.toUpperCase();
    return this.requests.filter((request) => request.method === wanted && request.path.startsWith(pathPrefix)).length;
  }

  /** How many blocking queries are parked right now (on `serviceName`, if given). */
  parked(serviceName?: string): number {
    let count = 0;
    for (const waiter of this.waiters) if (serviceName === undefined || waiter.service === serviceName) count += 1;
    return count;
  }

  /**
   * Resolves once at least `count` blocking queries (on `serviceName`, if given) are parked, so a test can
   * change state knowing the query is already waiting. Rejects after `timeoutMs` or on stop().
   */
  waitForParked(count = 1, serviceName?: string, timeoutMs = 5_000): Promise<void> {
    if (this.parked(serviceName) >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const listener: ParkedListener = {
        count,
        service: serviceName,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.parkedListeners.delete(listener);
          reject(
            new Error(
              `ConsulDouble: ${count} blocking queries on ${serviceName ?? 'any service'} not parked within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs),
      };
      listener.timer.unref();
      this.parkedListeners.add(listener);
    });
  }

  /** Closes everything, parked blocking queries included. The double cannot come back afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const listener of this.parkedListeners) {
      clearTimeout(listener.timer);
      listener.reject(new Error('ConsulDouble: stopped'));
    }
    this.parkedListeners.clear();
    await this.goDown();
  }

  // ---------------------------------------------------------------- HTTP

  private listen(port: number): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => this.dispatch(req, res);
    const server: Server = this.options.tls ? createHttpsServer(this.options.tls, handler) : createServer(handler);
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        this.server = server;
        this.listenPort = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://consul-double');
    const method = (req.method ?? 'GET').toUpperCase();
    const header = req.headers['x-consul-token'];
    const token = (Array.isArray(header) ? header[0] : header) || url.searchParams.get('token') || undefined;
    this.requests.push({ method, path: url.pathname, query: firstValues(url.searchParams), token });
    void this.route(method, req, res, url, token).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendText(res, error.statusCode, error.message, error.headers);
      } else {
        sendText(res, 500, error instanceof Error ? error.message : String(error));
      }
    });
  }

  private async route(
    method: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    token: string | undefined,
  ): Promise<void> {
    const route = this.routes.find((candidate) => candidate.matches(url.pathname));
    if (!route) throw new HttpError(404, '404 page not found\n');
    const allow = ['OPTIONS', ...route.methods].join(',');
    if (method === 'OPTIONS') {
      res.writeHead(200, { Allow: allow, 'Content-Length': '0' }).end();
      return;
    }
    if (!route.methods.includes(method)) throw new HttpError(405, `method ${method} not allowed`, { Allow: allow });
    await route.handle(req, res, url, this.access(token));
  }

  /** Consul resolves the token before anything else: one it does not know is refused whatever the request. */
  private access(token: string | undefined): Access {
    if (this.options.aclToken === undefined || token === this.options.aclToken) return 'all';
    if (token !== undefined) throw new HttpError(403, 'ACL not found');
    return 'anonymous';
  }

  private async handleRegister(req: IncomingMessage, res: ServerResponse, url: URL, access: Access): Promise<void> {
    const body = await readBody(req);
    let parsed: unknown;
    try {
      if (body.trim() === '') throw new Error('EOF');
      parsed = JSON.parse(body);
    } catch (error) {
      throw new HttpError(400, `Request decode failed: ${(error as Error).message}`);
    }
    const definition = parseServiceDefinition(parsed);
    if (access === 'anonymous') throw anonymousMayNotWrite(definition.name);
    const replaceExistingChecks =
      url.searchParams.has('replace-existing-checks') &&
      ['', 'true'].includes(url.searchParams.get('replace-existing-checks') ?? '');
    this.applyRegistration(definition, replaceExistingChecks, parsed as Record<string, unknown>);
    res.writeHead(200, { 'Content-Length': '0' }).end();
  }

  private handleDeregister(res: ServerResponse, url: URL, access: Access): void {
    const id = decodeURIComponent(url.pathname.slice('/v1/agent/service/deregister/'.length));
    if (id === '') throw new HttpError(500, 'ServiceID missing');
    const instance = this.services.get(id);
    if (!instance || instance.node !== this.options.nodeName) {
      throw new HttpError(
        404,
        `Unknown service ID ${JSON.stringify(id)}. Ensure that the service ID is passed, not the service name.`,
      );
    }
    if (access === 'anonymous') throw anonymousMayNotWrite(instance.name);
    this.services.delete(id);
    this.commit(this.raftIndex + 1, [instance.name]);
    res.writeHead(200, { 'Content-Length': '0' }).end();
  }

  private handleAgentServices(res: ServerResponse, access: Access): void {
    // Only this agent's services; Consul's agent endpoint turns missing Tags/Meta into [] / {}.
    const result: Record<string, unknown> = {};
    let filtered = false;
    for (const instance of [...this.services.values()].sort((a, b) => compare(a.id, b.id))) {
      if (instance.node !== this.options.nodeName) continue;
      if (access === 'anonymous') {
        filtered = true;
        continue;
      }
      const { CreateIndex: _create, ModifyIndex: _modify, ...service } = this.serviceJson(instance);
      result[instance.id] = { ...service, Meta: instance.meta ?? {}, Datacenter: DATACENTER };
    }
    sendJson(res, 200, result, filtered ? { [ACL_FILTERED_HEADER]: 'true' } : {});
  }

  private handleHealthService(req: IncomingMessage, res: ServerResponse, url: URL, access: Access): void {
    const name = decodeURIComponent(url.pathname.slice('/v1/health/service/'.length));
    if (name === '') throw new HttpError(400, 'Missing service name');
    const params = url.searchParams;
    const { index, waitMs } = this.parseBlocking(params);
    const passing = parseBoolParam(params, 'passing');
    if (passing === undefined) throw new HttpError(400, 'Invalid value for ?passing');
    const tags = params.getAll('tag');

    const respond = (): void => {
      if (res.writableEnded || res.destroyed) return;
      const entries = this.healthEntries(name, tags, passing);
      // The anonymous token may read nothing: Consul answers as usual, the entries left out and flagged.
      const hidden = access === 'anonymous' && entries.length > 0;
      sendJson(res, 200, hidden ? [] : entries, {
        'X-Consul-Index': String(this.queryIndex(name)),
        'X-Consul-KnownLeader': 'true',
        'X-Consul-LastContact': '0',
        'X-Consul-Effective-Consistency': 'leader',
        ...(hidden ? { [ACL_FILTERED_HEADER]: 'true' } : {}),
      });
    };

    if (index === 0 || this.queryIndex(name) > index) {
      respond();
      return;
    }
    // Park until the service's index moves past `index`, wait elapses, or the index is reset.
    const record: BlockingQueryRecord = { service: name, index, waitMs };
    this.blockingQueries.push(record);
    const waiter: Waiter = {
      service: name,
      minIndex: index,
      record,
      respond,
      timer: setTimeout(() => this.finish(waiter, 'timeout'), waitMs),
    };
    this.waiters.add(waiter);
    res.once('close', () => {
      if (this.waiters.has(waiter)) this.drop(waiter);
    });
    req.socket.setTimeout(0);
    this.notifyParked();
  }

  /** Consul's parseWait: index is a uint64, wait a Go duration; default 5 min, at most 10 min, + wait/16 jitter. */
  private parseBlocking(params: URLSearchParams): { index: number; waitMs: number } {
    let index = 0;
    const rawIndex = params.get('index');
    if (rawIndex !== null && rawIndex !== '') {
      if (!/^\d+$/.test(rawIndex)) throw new HttpError(400, 'Invalid index');
      index = Number(rawIndex);
    }
    let waitMs = 0;
    const rawWait = params.get('wait');
    if (rawWait !== null && rawWait !== '') {
      const parsed = parseGoDuration(rawWait);
      if (parsed === undefined) throw new HttpError(400, 'Invalid wait time');
      waitMs = parsed;
    }
    if (waitMs <= 0) waitMs = CONSUL_DEFAULT_WAIT_MS;
    if (waitMs > CONSUL_MAX_WAIT_MS) waitMs = CONSUL_MAX_WAIT_MS;
    if (this.options.jitter) waitMs += Math.random() * (waitMs / 16);
    return { index, waitMs: Math.min(waitMs, this.options.maxWaitMs) };
  }

  // ---------------------------------------------------------------- state

  private applyRegistration(
    definition: ServiceDefinition,
    replaceExistingChecks: boolean,
    raw: Record<string, unknown>,
  ): void {
    const index = this.raftIndex + 1;
    const node = this.options.nodeName;
    const previous = this.services.get(definition.id);
    // Consul restores a check's status and output by CheckID when a service is registered again.
    const previousChecks = new Map<string, CheckState>();
    for (const instance of this.services.values()) {
      if (instance.node === node) for (const check of instance.checks) previousChecks.set(check.checkId, check);
    }
    const checks: CheckState[] = definition.checks.map((check, i) => {
      const checkId =
        check.checkId ||
        (definition.checks.length > 1 ? `service:${definition.id}:${i + 1}` : `service:${definition.id}`);
      const prior = previousChecks.get(checkId);
      const fresh: CheckState = {
        ...check.fields,
        checkId,
        name: check.name || `Service '${definition.name}' check`,
        status: check.status ?? this.options.initialStatus,
        output: '',
        raw: check.raw,
        createIndex: prior?.createIndex ?? index,
        modifyIndex: index,
      };
      if (prior) {
        fresh.status = prior.status;
        fresh.output = prior.output;
        if (sameCheck(prior, fresh)) fresh.modifyIndex = prior.modifyIndex;
      }
      return fresh;
    });
    if (previous && previous.node === node && !replaceExistingChecks) {
      const ids = new Set(checks.map((check) => check.checkId));
      for (const check of previous.checks) if (!ids.has(check.checkId)) checks.push(check);
    }
    const next: InstanceState = {
      id: definition.id,
      name: definition.name,
      address: definition.address,
      port: definition.port,
      tags: definition.tags,
      meta: definition.meta,
      node,
      checks,
      createIndex: previous?.createIndex ?? index,
      modifyIndex: index,
      raw,
    };
    if (previous && sameInstance(previous, next)) {
      // Nothing a client can see changed: Consul's catalog skips identical writes, so no index bump.
      previous.raw = raw;
      return;
    }
    this.services.set(definition.id, next);
    this.commit(index, previous && previous.name !== next.name ? [next.name, previous.name] : [next.name]);
  }

  private commit(index: number, touched: string[]): void {
    this.raftIndex = index;
    for (const name of touched) {
      if (this.hasInstances(name)) {
        this.serviceIndexes.set(name, index);
      } else {
        this.serviceIndexes.delete(name);
        this.extinctionIndex = index;
      }
    }
    for (const waiter of [...this.waiters]) {
      if (this.queryIndex(waiter.service) > waiter.minIndex) this.finish(waiter, 'changed');
    }
  }

  /** Consul's maxIndexForService: the service's own index, or the extinction index / catalog index if it has no instances. */
  private queryIndex(name: string): number {
    let index: number;
    if (this.hasInstances(name)) index = this.serviceIndexes.get(name) ?? this.raftIndex;
    else index = this.extinctionIndex ?? this.raftIndex;
    return Math.max(1, index);
  }

  private hasInstances(name: string): boolean {
    for (const instance of this.services.values()) if (instance.name === name) return true;
    return false;
  }

  private ensureNode(name: string, address: string, index: number): void {
    if (this.nodes.has(name)) return;
    const hex = Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32);
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    this.nodes.set(name, { name, id, address, createIndex: index });
  }

  private finish(waiter: Waiter, outcome: NonNullable<BlockingQueryRecord['outcome']>): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    waiter.record.outcome = outcome;
    waiter.respond();
  }

  private drop(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
    waiter.record.outcome = 'closed';
  }

  private notifyParked(): void {
    for (const listener of [...this.parkedListeners]) {
      if (this.parked(listener.service) >= listener.count) {
        clearTimeout(listener.timer);
        this.parkedListeners.delete(listener);
        listener.resolve();
      }
    }
  }

  // ---------------------------------------------------------------- JSON

  private healthEntries(name: string, tags: string[], passingOnly: boolean): unknown[] {
    const entries: unknown[] = [];
    const instances = [...this.services.values()]
      .filter((instance) => instance.name === name)
      .filter((instance) => tags.every((tag) => instance.tags.some((t) => t.toLowerCase() === tag.toLowerCase())))
      .sort((a, b) => compare(a.node, b.node) || compare(a.id, b.id));
    for (const instance of instances) {
      // The health endpoint filters after the query: all checks, the node's serfHealth included, must pass.
      if (passingOnly && instance.checks.some((check) => check.status !== 'passing')) continue;
      const node = this.nodes.get(instance.node)!;
      entries.push({
        Node: {
          ID: node.id,
          Node: node.name,
          Address: node.address,
          Datacenter: DATACENTER,
          TaggedAddresses: { lan: node.address, lan_ipv4: node.address, wan: node.address, wan_ipv4: node.address },
          Meta: { 'consul-network-segment': '' },
          CreateIndex: node.createIndex,
          ModifyIndex: node.createIndex,
        },
        Service: this.serviceJson(instance),
        Checks: [
          {
            Node: node.name,
            CheckID: 'serfHealth',
            Name: 'Serf Health Status',
            Status: 'passing',
            Notes: '',
            Output: 'Agent alive and reachable',
            ServiceID: '',
            ServiceName: '',
            ServiceTags: [],
            Type: '',
            Interval: '',
            Timeout: '',
            ExposedPort: 0,
            Definition: {},
            CreateIndex: node.createIndex,
            ModifyIndex: node.createIndex,
          },
          ...instance.checks.map((check) => ({
            Node: node.name,
            CheckID: check.checkId,
            Name: check.name,
            Status: check.status,
            Notes: check.notes,
            Output: check.output,
            ServiceID: instance.id,
            ServiceName: instance.name,
            ServiceTags: [...instance.tags],
            Type: check.type,
            Interval: formatGoDuration(check.interval),
            Timeout: formatGoDuration(check.timeout),
            ExposedPort: 0,
            Definition: {},
            CreateIndex: check.createIndex,
            ModifyIndex: check.modifyIndex,
          })),
        ],
      });
    }
    return entries;
  }

  private serviceJson(instance: InstanceState): Record<string, unknown> {
    const tagged = isIPv4(instance.address)
      ? {
          lan_ipv4: { Address: instance.address, Port: instance.port },
          wan_ipv4: { Address: instance.address, Port: instance.port },
        }
      : undefined;
    return {
      ID: instance.id,
      Service: instance.name,
      Tags: [...instance.tags],
      Address: instance.address,
      ...(tagged ? { TaggedAddresses: tagged } : {}),
      Meta: instance.meta ? { ...instance.meta } : null,
      Port: instance.port,
      Weights: { Passing: 1, Warning: 1 },
      EnableTagOverride: false,
      CreateIndex: instance.createIndex,
      ModifyIndex: instance.modifyIndex,
    };
  }

  private snapshot(instance: InstanceState): RegisteredInstance {
    const checks = instance.checks.map(
      ({ createIndex: _createIndex, modifyIndex: _modifyIndex, raw, ...check }): RegisteredCheck => ({
        ...check,
        raw: structuredClone(raw),
      }),
    );
    const status = instance.checks.reduce<CheckStatus>(
      (worst, check) => (SEVERITY[check.status] > SEVERITY[worst] ? check.status : worst),
      'passing',
    );
    return {
      id: instance.id,
      name: instance.name,
      address: instance.address,
      port: instance.port,
      tags: [...instance.tags],
      meta: { ...(instance.meta ?? {}) },
      node: instance.node,
      local: instance.node === this.options.nodeName,
      check: checks[0],
      checks,
      status,
      createIndex: instance.createIndex,
      modifyIndex: instance.modifyIndex,
      raw: instance.raw ? structuredClone(instance.raw) : undefined,
    };
  }
}

/** Consul's PermissionDeniedError for a write without a token. */
function anonymousMayNotWrite(service: string): HttpError {
  return new HttpError(
    403,
    `Permission denied: anonymous token lacks permission 'service:write' on ${JSON.stringify(service)}`,
  );
}

// ------------------------------------------------------------------ registration body

interface ParsedCheck {
  checkId: string;
  name: string;
  status?: CheckStatus;
  fields: Omit<RegisteredCheck, 'checkId' | 'name' | 'status' | 'output' | 'raw'>;
  raw: Record<string, unknown>;
}

interface ServiceDefinition {
  id: string;
  name: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string> | null;
  checks: ParsedCheck[];
}

/** Decodes a ServiceDefinition as Consul does: field names match case-insensitively (and snake_case), types are checked. */
function parseServiceDefinition(body: unknown): ServiceDefinition {
  const object = asObject(body, 'structs.ServiceDefinition');
  const name = asString(field(object, 'Name'), 'Name');
  const definition: ServiceDefinition = {
    name,
    id: asString(field(object, 'ID'), 'ID') || name,
    address: asString(field(object, 'Address'), 'Address'),
    port: asInteger(field(object, 'Port'), 'Port'),
    tags: asStringArray(field(object, 'Tags'), 'Tags'),
    meta: asStringMap(field(object, 'Meta'), 'Meta'),
    checks: [],
  };
  const check = field(object, 'Check');
  const checks = field(object, 'Checks');
  const rawChecks: Record<string, unknown>[] = [];
  if (check !== undefined && check !== null) {
    const single = asObject(check, 'structs.CheckType');
    if (!isEmptyCheck(single)) rawChecks.push(single);
  }
  if (checks !== undefined && checks !== null) {
    if (!Array.isArray(checks)) throw decodeError('Checks', checks, 'structs.CheckTypes');
    for (const item of checks) rawChecks.push(asObject(item, 'structs.CheckType'));
  }
  const parsedChecks = rawChecks.map(parseCheck);
  if (definition.name === '') throw new HttpError(400, 'Missing service name');
  if (['0.0.0.0', '::', '[::]'].includes(definition.address)) throw new HttpError(400, 'Invalid service address');
  for (const parsed of parsedChecks) validateCheck(parsed);
  for (const parsed of parsedChecks) {
    if (parsed.status !== undefined && !STATUSES.includes(parsed.status)) {
      throw new HttpError(400, "Status for checks must 'passing', 'warning', 'critical'");
    }
  }
  definition.checks = parsedChecks;
  return definition;
}

function parseCheck(raw: Record<string, unknown>): ParsedCheck {
  const text = (key: string): string | undefined => asString(field(raw, key), key) || undefined;
  const duration = (key: string): string | undefined => {
    const value = field(raw, key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'number') return `${value}ns`;
    if (typeof value !== 'string' || parseGoDuration(value) === undefined) {
      throw new HttpError(400, `Request decode failed: time: invalid duration ${JSON.stringify(String(value))}`);
    }
    return value;
  };
  const grpcUseTls = field(raw, 'GRPCUseTLS');
  if (grpcUseTls !== undefined && grpcUseTls !== null && typeof grpcUseTls !== 'boolean') {
    throw decodeError('GRPCUseTLS', grpcUseTls, 'bool');
  }
  // Consul's CheckType.Type(), in its order.
  const kinds: [string, string[]][] = [
    ['grpc', ['GRPC']],
    ['http', ['HTTP']],
    ['ttl', ['TTL']],
    ['tcp', ['TCP']],
    ['udp', ['UDP']],
    ['alias', ['AliasService', 'AliasNode']],
    ['docker', ['DockerContainerID']],
    ['script', ['Args']],
    ['h2ping', ['H2PING']],
    ['os_service', ['OSService']],
  ];
  const type = kinds.find(([, keys]) => keys.some((key) => present(raw, key)))?.[0] ?? '';
  const fields = withoutUndefined({
    type,
    grpc: text('GRPC'),
    grpcUseTls: typeof grpcUseTls === 'boolean' ? grpcUseTls : undefined,
    http: text('HTTP'),
    tcp: text('TCP'),
    udp: text('UDP'),
    ttl: duration('TTL'),
    interval: duration('Interval'),
    timeout: duration('Timeout'),
    deregisterCriticalServiceAfter: duration('DeregisterCriticalServiceAfter'),
    notes: text('Notes') ?? '',
  });
  const status = text('Status');
  return {
    checkId: text('CheckID') ?? '',
    name: text('Name') ?? '',
    status: status as CheckStatus | undefined,
    fields,
    raw,
  };
}

/** Consul's CheckType.Validate, with its messages. */
function validateCheck(check: ParsedCheck): void {
  const { fields, raw } = check;
  const has = (key: string): boolean => present(raw, key);
  const interval = fields.interval ? (parseGoDuration(fields.interval) ?? 0) : 0;
  const ttl = fields.ttl ? (parseGoDuration(fields.ttl) ?? 0) : 0;
  const intervalCheck = ['Args', 'HTTP', 'TCP', 'UDP', 'GRPC', 'H2PING', 'OSService'].some(has);
  const alias = has('AliasService') || has('AliasNode');
  const invalid = (reason: string): HttpError => new HttpError(400, `Invalid check: ${reason}`);
  if (interval > 0 && ttl > 0) throw invalid('Interval and TTL cannot both be specified');
  if (intervalCheck && interval <= 0) {
    throw invalid('Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks');
  }
  if (intervalCheck && alias) throw invalid('Interval cannot be set for Alias checks');
  if (alias && ttl > 0) throw invalid('TTL must be not be set for Alias checks');
  if (!intervalCheck && !alias && ttl <= 0) throw invalid('TTL must be > 0 for TTL checks');
}

function isEmptyCheck(check: Record<string, unknown>): boolean {
  return Object.values(check).every(
    (value) =>
      value === null ||
      value === undefined ||
      value === '' ||
      value === 0 ||
      value === false ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0),
  );
}

/** Go's encoding/json matches field names case-insensitively; Consul also accepts snake_case (lib.TranslateKeys). */
function field(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const wanted = normalizeKey(name);
  const key = Object.keys(object).find((candidate) => normalizeKey(candidate) === wanted);
  return key === undefined ? undefined : object[key];
}

function present(object: Record<string, unknown>, key: string): boolean {
  const value = field(object, key);
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

function withoutUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function normalizeKey(key: string): string {
  return key.replace(/_/g, '').toLowerCase();
}

function decodeError(name: string | undefined, value: unknown, goType: string): HttpError {
  const jsonType = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const where = name ? ` (field ${name})` : '';
  return new HttpError(
    400,
    `Request decode failed: json: cannot unmarshal ${jsonType} into Go value of type ${goType}${where}`,
  );
}

function asObject(value: unknown, goType: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw decodeError(undefined, value, goType);
  return value as Record<string, unknown>;
}

function asString(value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw decodeError(name, value, 'string');
  return value;
}

function asInteger(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw decodeError(name, value, 'int');
  return value;
}

function asStringArray(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw decodeError(name, value, '[]string');
  return [...(value as string[])];
}

function asStringMap(value: unknown, name: string): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw decodeError(name, value, 'map[string]string');
  }
  return { ...(value as Record<string, string>) };
}

function sameCheck(a: CheckState, b: CheckState): boolean {
  const strip = ({ createIndex: _c, modifyIndex: _m, raw: _r, ...rest }: CheckState): unknown => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function sameInstance(a: InstanceState, b: InstanceState): boolean {
  const strip = ({ createIndex: _c, modifyIndex: _m, raw: _r, checks, ...rest }: InstanceState): unknown => ({
    ...rest,
    checks: checks.map(({ createIndex: _cc, modifyIndex: _mm, raw: _rr, ...check }) => check),
  });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

// ------------------------------------------------------------------ helpers

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration (time.ParseDuration, which Consul uses for wait=, Interval, TTL...) into milliseconds:
 * "5s", "100ms", "1m", "1m30s", "1.5h", "0". A bare number other than 0 is not a duration. undefined if invalid.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  while (rest.length > 0) {
    const match = part.exec(rest);
    if (!match) return undefined;
    total += Number.parseFloat(match[1]!) * DURATION_UNITS_MS[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return sign * total;
}

/** Go's time.Duration.String() for a duration given as Go duration text, as Consul shows Interval/Timeout; '' if none. */
function formatGoDuration(text: string | undefined): string {
  if (!text) return '';
  const ms = parseGoDuration(text);
  if (ms === undefined) return text;
  let ns = Math.round(Math.abs(ms) * 1e6);
  if (ns === 0) return '0s';
  const number = (value: number): string => String(Number(value.toFixed(9)));
  let out: string;
  if (ns < 1e3) out = `${ns}ns`;
  else if (ns < 1e6) out = `${number(ns / 1e3)}µs`;
  else if (ns < 1e9) out = `${number(ns / 1e6)}ms`;
  else {
    const hours = Math.floor(ns / 3_600e9);
    ns -= hours * 3_600e9;
    const minutes = Math.floor(ns / 60e9);
    ns -= minutes * 60e9;
    const seconds = `${number(ns / 1e9)}s`;
    out = hours > 0 ? `${hours}h${minutes}m${seconds}` : minutes > 0 ? `${minutes}m${seconds}` : seconds;
  }
  return ms < 0 ? `-${out}` : out;
}

/** Go's strconv.ParseBool behind Consul's getBoolQueryParam: absent -> false, present without value -> true. */
function parseBoolParam(params: URLSearchParams, key: string): boolean | undefined {
  if (!params.has(key)) return false;
  const value = params.get(key) ?? '';
  if (value === '') return true;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of params) if (!(key in query)) query[key] = value;
  return query;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const payload = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(payload)),
    })
    .end(payload);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res
    .writeHead(status, {
      ...headers,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

function exact(path: string, methods: string[], handle: Route['handle']): Route {
  return { methods, matches: (candidate) => candidate === path, handle };
}

function prefix(path: string, methods: string[], handle: Route['handle']): Route {
  return { methods, matches: (candidate) => candidate.startsWith(path), handle };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
