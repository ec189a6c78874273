import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import { eventually, healthClient, testClient, type TestClient, describeWithRedis } from '@streamplane/testkit';
import { bearer, play, startPlayPath, type Grant, type PlayPathProcesses } from './play-path-fixture';
import { LIVENESS_HEALTH_SERVICE } from '@streamplane/platform';

interface Replica {
  playback: TestClient;
  health: TestClient;
}

/** Two playback-authorization replicas sharing one Redis, in front of the real play path. */
describeWithRedis('playback-authorization replicas sharing Redis over gRPC', (redis) => {
  let playPath: PlayPathProcesses;
  const replicas: Replica[] = [];

  async function startReplica(): Promise<Replica> {
    const process = await playPath.startPlayback({ REDIS_URL: redis().url });
    const replica = {
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

  it('answers UNAVAILABLE and reports NOT_SERVING while Redis is down, and recovers by itself', async () => {
    const accountId = playPath.accountOnPlan('premium');
    const metadata = bearer(accountId);
    expect(await healthOf(a)).toBe('SERVING');

    await redis().kill();
    const refused = await a.playback.fail('AuthorizePlayback', play(`${accountId}-p1`), { metadata });
    expect(refused.code).toBe(status.UNAVAILABLE);
    expect(refused.details).toMatch(/^redis is unavailable/);
    const heartbeat = await a.playback.fail('Heartbeat', { playback_session_id: 'ps-any' }, { metadata });
    expect(heartbeat.code).toBe(status.UNAVAILABLE);
    expect(await healthOf(a)).toBe('NOT_SERVING');
    // Not ready, but alive: a liveness probe must not restart a process that will recover by itself.
    expect(await healthOf(a, LIVENESS_HEALTH_SERVICE)).toBe('SERVING');
    // b served no call meanwhile: the dropped connection alone takes it out of rotation.
    await eventually(async () => (await healthOf(b)) === 'NOT_SERVING', 'b to report NOT_SERVING');

    await redis().restart();
    for (const replica of [a, b]) {
      await eventually(async () => (await healthOf(replica)) === 'SERVING', 'a replica to serve again');
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
