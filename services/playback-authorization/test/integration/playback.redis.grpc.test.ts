import { status, type ServiceError } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import {
  eventually,
  healthClient,
  holdWrites,
  testClient,
  type ServiceProcess,
  type TestClient,
  describeWithRedis,
} from '@streamplane/testkit';
import { bearer, play, startPlayPath, type Grant, type PlayPathProcesses } from './play-path-fixture';
import { LIVENESS_HEALTH_SERVICE } from '@streamplane/platform';

interface Replica {
  process: ServiceProcess;
  playback: TestClient;
  health: TestClient;
}

/** A call refused while Redis is gone: the store, the outage's incident, nothing of ioredis. */
const REFUSAL = /^session store is unavailable \(incident ([0-9a-f-]{36})\); retry later$/;
const OUTAGE_STARTED = 'session store unavailable; NOT_SERVING until it answers again';

/** Two playback-authorization replicas sharing one Redis, in front of the real play path. */
describeWithRedis('playback-authorization replicas sharing Redis over gRPC', (redis) => {
  let playPath: PlayPathProcesses;
  const replicas: Replica[] = [];

  async function startReplica(): Promise<Replica> {
    const process = await playPath.startPlayback({ REDIS_URL: redis().url });
    const replica = {
      process,
      playback: testClient(SERVICES['playback-authorization'], process.address),
      health: healthClient(process.address),
    };
    replicas.push(replica);
    return replica;
  }

  /** Readiness: the overall status (''); or, with `service`, another health name such as liveness. */
  async function healthOf(replica: Replica, service = ''): Promise<string> {
    return (await replica.health.call<{ status: string }>('Check', { service })).status;
  }

  const stopSession = (replica: Replica, accountId: string, grant: Grant) =>
    replica.playback.call(
      'StopPlayback',
      { playback_session_id: grant.playback_session_id },
      { metadata: bearer(accountId) },
    );

  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    playPath = await startPlayPath();
    [a, b] = await Promise.all([startReplica(), startReplica()]);
  }, 120_000);

  afterAll(async () => {
    for (const replica of replicas) {
      replica.playback.close();
      replica.health.close();
    }
    await playPath?.stop();
  });

  it('grants a standard account exactly its 2 streams when 20 plays race through both replicas', async () => {
    const accountId = playPath.accountOnPlan('standard');
    const metadata = bearer(accountId);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        [a, b][i % 2]!.playback.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`), { metadata }),
      ),
    );
    const grants = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refusals = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(grants).toHaveLength(2);
    expect(refusals).toHaveLength(18);
    expect(refusals.every((refusal) => refusal.code === status.RESOURCE_EXHAUSTED)).toBe(true);
    expect(refusals[0].details).toContain('2 of 2');
    for (const grant of grants) await stopSession(a, accountId, grant);
  });

  it('a session granted by one replica heartbeats and stops through the other, which frees the slot', async () => {
    const accountId = playPath.accountOnPlan('basic');
    const metadata = bearer(accountId);
    const grant = await b.playback.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`), { metadata });

    const beat = await a.playback.call<{ playback_session_id: string }>(
      'Heartbeat',
      { playback_session_id: grant.playback_session_id },
      { metadata },
    );
    expect(beat.playback_session_id).toBe(grant.playback_session_id);
    const refused = await a.playback.fail('AuthorizePlayback', play(`${accountId}-p1`), { metadata });
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);

    await stopSession(a, accountId, grant);
    const again = await b.playback.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`), { metadata });
    await stopSession(b, accountId, again);
  });

  it('outlives a kill -9 of Redis mid-call: UNAVAILABLE naming it, NOT_SERVING, and recovers by itself', async () => {
    const accountId = playPath.accountOnPlan('premium');
    const metadata = bearer(accountId);
    expect(await healthOf(a)).toBe('SERVING');
    const watching = await a.playback.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`), { metadata });

    // In flight when Redis dies: a play opening its session and heartbeats extending one, all waiting inside
    // Redis (behind a pause of its writes) on a's connection.
    const writes = await holdWrites(redis());
    const inFlight = [
      a.playback.fail('AuthorizePlayback', play(`${accountId}-p2`), { metadata }),
      ...Array.from({ length: 5 }, () =>
        a.playback.fail('Heartbeat', { playback_session_id: watching.playback_session_id }, { metadata }),
      ),
    ];
    await eventually(async () => (await writes.waiters()) === 1, "a's connection to wait on the paused writes");
    await redis().kill();
    const refusals: ServiceError[] = [
      ...(await Promise.all(inFlight)),
      await a.playback.fail('AuthorizePlayback', play(`${accountId}-p3`), { metadata }),
      await a.playback.fail('Heartbeat', { playback_session_id: 'ps-any' }, { metadata }),
    ];

    expect(a.process.logs.filter((line) => line.msg === 'uncaught exception; exiting')).toEqual([]);
    expect({ exitCode: a.process.process.exitCode, signal: a.process.process.signalCode }).toEqual({
      exitCode: null,
      signal: null,
    });
    expect(
      refusals.map((refusal) => `${status[refusal.code]}: ${refusal.details.replace(REFUSAL, 'refusal')}`),
    ).toEqual(refusals.map(() => 'UNAVAILABLE: refusal'));
    // One outage, one incident, one log line with ioredis's own words.
    const outageLines = a.process.logs.filter((line) => line.msg === OUTAGE_STARTED);
    expect(outageLines).toEqual([
      expect.objectContaining({ level: 'error', store: 'session store', error: expect.any(String) }),
    ]);
    expect(new Set(refusals.map((refusal) => REFUSAL.exec(refusal.details)![1]))).toEqual(
      new Set([outageLines[0]!.incident_id]),
    );
    expect(await healthOf(a)).toBe('NOT_SERVING');
    // Not ready, but alive: a liveness probe must not restart a process that will recover by itself.
    expect(await healthOf(a, LIVENESS_HEALTH_SERVICE)).toBe('SERVING');
    // b served no call meanwhile: the dropped connection alone takes it out of rotation.
    await eventually(async () => (await healthOf(b)) === 'NOT_SERVING', 'b to report NOT_SERVING');

    await redis().restart();
    for (const replica of [a, b]) {
      await eventually(async () => (await healthOf(replica)) === 'SERVING', 'a replica to serve again');
      expect(replica.process.logs.filter((line) => line.msg === OUTAGE_STARTED)).toHaveLength(1);
      expect(replica.process.process.exitCode).toBeNull();
    }
    const grant = await a.playback.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`), { metadata });
    await stopSession(b, accountId, grant);
  });

  it('starts NOT_SERVING when Redis is down at start, and serves once Redis is up', async () => {
    await redis().kill();
    const late = await startReplica();
    expect(await healthOf(late)).toBe('NOT_SERVING');
    expect(await healthOf(late, LIVENESS_HEALTH_SERVICE)).toBe('SERVING');

    await redis().restart();
    await eventually(async () => (await healthOf(late)) === 'SERVING', 'the new replica to serve');
    const accountId = playPath.accountOnPlan('premium');
    const grant = await late.playback.call<Grant>('AuthorizePlayback', play(`${accountId}-p1`), {
      metadata: bearer(accountId),
    });
    await stopSession(late, accountId, grant);
  });
});
