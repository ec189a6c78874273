import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import { LOCAL_DEVELOPMENT_SECRET, signAccountToken } from '@streamplane/streaming';
import {
  describeTrace,
  describeWithPostgres,
  describeWithRedis,
  OtlpReceiver,
  startServiceProcess,
  testClient,
  type ReceivedSpan,
  type ServiceProcess,
  type TestClient,
} from '@streamplane/testkit';

/**
 * Store calls in traces, from real service processes on real servers exporting to an OTLP receiver: each
 * PostgreSQL statement (instrumentation-pg) and Redis command (instrumentation-ioredis) a call makes is a
 * CLIENT span whose parent is that call's gRPC server span, and nothing a store does outside a call (the
 * migrations and seeding at start, the pool's and the guard's own work) starts a trace of its own.
 */

const PG_SCOPE = '@opentelemetry/instrumentation-pg';
const REDIS_SCOPE = '@opentelemetry/instrumentation-ioredis';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

let traces = 0;
/** A fresh trace id, sent as the caller's W3C traceparent. */
function callerTrace(): { traceId: string; metadata: Record<string, string> } {
  traces += 1;
  const traceId = `${'cd'.repeat(12)}${String(traces).padStart(8, '0')}`;
  return { traceId, metadata: { traceparent: `00-${traceId}-${CALLER_SPAN_ID}-01` } };
}

/** A real service process exporting to its own receiver, and a client of it; stopped after the suite. */
function traced(service: 'profiles' | 'playback-authorization', env: () => Promise<Record<string, string>>) {
  const started: { receiver?: OtlpReceiver; process?: ServiceProcess; client?: TestClient } = {};
  beforeAll(async () => {
    started.receiver = await OtlpReceiver.start();
    started.process = await startServiceProcess(service, {
      ...(await env()),
      OTEL_EXPORTER_OTLP_ENDPOINT: started.receiver.endpoint,
    });
    started.client = testClient(SERVICES[service], started.process.address);
  });
  afterAll(async () => {
    started.client?.close();
    await started.process?.stop();
    await started.receiver?.stop();
  });
  return started as Required<typeof started>;
}

/** The spans of `traceId` once its server span and at least one span of `scope` have arrived. */
async function callTrace(receiver: OtlpReceiver, traceId: string, scope: string): Promise<ReceivedSpan[]> {
  await receiver.waitFor(
    (spans) =>
      spans.some((span) => span.traceId === traceId && span.kind === 'SERVER') &&
      spans.some((span) => span.traceId === traceId && span.scope === scope),
    `the server span and ${scope} spans of trace ${traceId}`,
  );
  return receiver.trace(traceId);
}

function serverSpanOf(trace: ReceivedSpan[]): ReceivedSpan {
  const servers = trace.filter((span) => span.kind === 'SERVER');
  if (servers.length !== 1) throw new Error(`expected one server span:\n${describeTrace(trace)}`);
  return servers[0]!;
}

describeWithPostgres('PostgreSQL statements as spans of the call (profiles)', (postgres) => {
  const profiles = traced('profiles', async () => ({
    DATABASE_URL: await postgres.server.createDatabase(),
    PROFILES_SEED_ACCOUNTS: '4',
  }));

  it('makes every statement of a call a pg CLIENT span, child of its server span, with the SQL but not the values', async () => {
    const { traceId, metadata } = callerTrace();
    const name = 'Quentin-Unlogged';
    await profiles.client.call('CreateProfile', { account_id: 'acct-0002', name }, { metadata });
    const trace = await callTrace(profiles.receiver, traceId, PG_SCOPE);

    const server = serverSpanOf(trace);
    expect(server).toMatchObject({
      name: 'streamplane.profiles.v1.ProfilesService/CreateProfile',
      parentSpanId: CALLER_SPAN_ID,
    });
    const statements = trace.filter((span) => span.scope === PG_SCOPE && span.name.startsWith('pg.query:'));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement).toMatchObject({
        kind: 'CLIENT',
        parentSpanId: server.spanId,
        attributes: expect.objectContaining({
          'db.system.name': 'postgresql',
          'db.query.text': expect.stringMatching(/\S/),
        }),
      });
    }
    expect(statements.map((span) => span.attributes['db.query.text']).join('\n')).toMatch(/INSERT INTO/i);
    // The profile's name went to the server as a parameter; no span carries it.
    expect(JSON.stringify(trace.map((span) => span.attributes))).not.toContain(name);
  });

  it('starts no trace for what the store does outside calls (migrations, seeding, the pool)', async () => {
    const { traceId, metadata } = callerTrace();
    const error = await profiles.client.fail('GetProfile', { profile_id: 'acct-0001-p9' }, { metadata });
    expect(error.code).toBe(status.NOT_FOUND);
    await callTrace(profiles.receiver, traceId, PG_SCOPE);
    const rootStoreSpans = profiles.receiver
      .spans()
      .filter((span) => span.scope === PG_SCOPE && span.parentSpanId === '');
    expect(rootStoreSpans).toEqual([]);
  });
});

describeWithRedis('Redis commands as spans of the call (playback-authorization)', (redis) => {
  const playback = traced('playback-authorization', async () => ({ REDIS_URL: redis().url }));

  it('makes the commands of a call ioredis CLIENT spans, children of its server span, with keys but not values', async () => {
    const { traceId, metadata } = callerTrace();
    const token = signAccountToken('acct-0001', LOCAL_DEVELOPMENT_SECRET);
    const error = await playback.client.fail(
      'Heartbeat',
      { playback_session_id: 'no-such-session' },
      { metadata: { ...metadata, authorization: `Bearer ${token}` } },
    );
    expect(error.code).toBe(status.NOT_FOUND);
    const trace = await callTrace(playback.receiver, traceId, REDIS_SCOPE);

    const server = serverSpanOf(trace);
    expect(server.name).toBe('streamplane.playback.v1.PlaybackAuthorizationService/Heartbeat');
    const commands = trace.filter((span) => span.scope === REDIS_SCOPE);
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      expect(command).toMatchObject({
        kind: 'CLIENT',
        parentSpanId: server.spanId,
        attributes: expect.objectContaining({ 'db.system.name': 'redis' }),
      });
      // The session store's scripts: their keys, neither their body nor their arguments (ms timestamps).
      expect(command.attributes['db.query.text']).toMatch(/^(eval|evalsha) streamplane:session:no-such-session /);
      expect(command.attributes['db.query.text']).not.toMatch(/redis\.call|\b\d{13}\b/);
    }
    const rootStoreSpans = playback.receiver
      .spans()
      .filter((span) => span.scope === REDIS_SCOPE && span.parentSpanId === '');
    expect(rootStoreSpans).toEqual([]);
  });
});
