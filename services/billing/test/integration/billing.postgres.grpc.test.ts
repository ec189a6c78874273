import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import {
  eventually,
  healthClient,
  holdRowLocks,
  testClient,
  type TestClient,
  describeWithPostgres,
  startServiceProcess,
  type ServiceProcess,
} from '@streamplane/testkit';

/** What a call refused while the database is gone says: the store, the incident, nothing of the socket. */
const REFUSAL = /^billing database is unavailable \(incident [0-9a-f-]{36}\); retry later$/;

interface Subscription {
  account_id: string;
  plan_id: string;
  status: string;
  plan_changes: Array<{ to_plan_id: string; idempotency_key: string }>;
}

/** A billing process and the two clients a caller and an orchestrator would use on it. */
interface Billing {
  process: ServiceProcess;
  client: TestClient;
  /** The server's overall health (service ''), as Kubernetes probes it. */
  health(): Promise<string>;
  stop(): Promise<void>;
}

/** Real billing processes on a real PostgreSQL server: races, restarts and a database that goes away. */
describeWithPostgres('billing on PostgreSQL over gRPC', (postgres) => {
  let url: string;
  let billing: Billing;

  async function startBilling(): Promise<Billing> {
    const process = await startServiceProcess('billing', { DATABASE_URL: url, BILLING_SEED_ACCOUNTS: '20' });
    const client = testClient(SERVICES.billing, process.address);
    const health = healthClient(process.address);
    return {
      process,
      client,
      health: async () => (await health.call<{ status: string }>('Check', { service: '' })).status,
      async stop() {
        client.close();
        health.close();
        await process.stop();
      },
    };
  }

  beforeAll(async () => {
    url = await postgres.server.createDatabase();
    billing = await startBilling();
  });

  afterAll(async () => {
    await billing?.stop();
  });

  const subscriptionOf = (accountId: string) =>
    billing.client.call<Subscription>('GetSubscription', { account_id: accountId });

  it('applies 10 concurrent ChangePlan calls with one idempotency key once, all answering alike', async () => {
    const before = await subscriptionOf('acct-0003'); // basic, the seed fixes it
    const request = { account_id: 'acct-0003', plan_id: 'premium', idempotency_key: 'race-0003' };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => billing.client.call<{ subscription: Subscription }>('ChangePlan', request)),
    );
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    const after = await subscriptionOf('acct-0003');
    expect(after.plan_id).toBe('premium');
    expect(after.plan_changes).toHaveLength(before.plan_changes.length + 1);
    expect(after.plan_changes.filter((change) => change.idempotency_key === 'race-0003')).toHaveLength(1);
  });

  it('keeps its state across a restart, and migrates and seeds only the first time', async () => {
    const request = { account_id: 'acct-0002', plan_id: 'basic', idempotency_key: 'before-restart' };
    const changed = await billing.client.call<{ subscription: Subscription }>('ChangePlan', request);
    expect(billing.process.logs).toContainEqual(expect.objectContaining({ msg: 'seed', inserted: true }));
    expect(billing.process.logs).toContainEqual(
      expect.objectContaining({ msg: 'postgres store ready', migrations_applied: [1] }),
    );

    const stopped = billing.process;
    await billing.stop();
    expect(stopped.logs).toContainEqual(expect.objectContaining({ msg: 'postgres store closed' }));
    billing = await startBilling();
    expect(billing.process.logs).toContainEqual(expect.objectContaining({ msg: 'seed', inserted: false }));
    expect(billing.process.logs).toContainEqual(
      expect.objectContaining({ msg: 'postgres store ready', migrations_applied: [] }),
    );
    expect(await subscriptionOf('acct-0002')).toEqual(changed.subscription);
    // The key survived with it: the retried request replays instead of failing on the now-current plan.
    expect(await billing.client.call('ChangePlan', request)).toEqual(changed);
  });

  it('outlives a kill -9 of PostgreSQL mid-transaction: UNAVAILABLE, NOT_SERVING, then back by itself', async () => {
    expect(await billing.health()).toBe('SERVING');
    // Seeded accounts no other test changes, active, each with a plan to change to.
    const [early, late] = (
      await Promise.all(['acct-0010', 'acct-0011', 'acct-0012', 'acct-0013'].map(subscriptionOf))
    ).filter((subscription) => subscription.status === 'SUBSCRIPTION_STATUS_ACTIVE');
    const changeOf = (subscription: Subscription, idempotencyKey: string) => ({
      account_id: subscription.account_id,
      plan_id: subscription.plan_id === 'premium' ? 'standard' : 'premium',
      idempotency_key: idempotencyKey,
    });
    const acknowledged = await billing.client.call<{ subscription: Subscription }>(
      'ChangePlan',
      changeOf(early!, 'before-crash'),
    );
    // In flight at the kill: ChangePlan's transaction waits for the subscription row the test holds.
    const locks = await holdRowLocks(url, 'SELECT 1 FROM billing.subscriptions WHERE account_id = $1 FOR UPDATE', [
      late!.account_id,
    ]);
    const cut = billing.client.fail('ChangePlan', changeOf(late!, 'cut'));
    await eventually(async () => (await locks.waiters()) === 1, 'ChangePlan to wait inside PostgreSQL');
    await postgres.server.crash();

    const refusals = [await cut, await billing.client.fail('GetSubscription', { account_id: 'acct-0001' })];
    expect(billing.process.logs.filter((line) => line.msg === 'uncaught exception; exiting')).toEqual([]);
    expect(billing.process.process.exitCode).toBeNull();
    expect(
      refusals.map((refusal) => `${status[refusal.code]}: ${refusal.details.replace(REFUSAL, 'refusal')}`),
    ).toEqual(['UNAVAILABLE: refusal', 'UNAVAILABLE: refusal']);
    expect(await billing.health()).toBe('NOT_SERVING');

    await postgres.server.restart();
    await eventually(async () => (await billing.health()) === 'SERVING', 'health SERVING again', 3000);
    expect(await subscriptionOf(early!.account_id)).toEqual(acknowledged.subscription);
    // The cut ChangePlan left nothing behind, not even its key: the retry applies it now.
    expect(await subscriptionOf(late!.account_id)).toEqual(late);
    const retried = await billing.client.call<{ subscription: Subscription }>('ChangePlan', changeOf(late!, 'cut'));
    expect(retried.subscription.plan_changes).toHaveLength(late!.plan_changes.length + 1);
  });

  it('starts NOT_SERVING while PostgreSQL is down, and turns SERVING once it is up', async () => {
    await postgres.server.stop();
    const late = await startBilling();
    try {
      expect(await late.health()).toBe('NOT_SERVING');
      const failure = await late.client.fail('GetEntitlement', { account_id: 'acct-0001' });
      expect(failure.code).toBe(status.UNAVAILABLE);
      expect(late.process.logs).toContainEqual(
        expect.objectContaining({ level: 'error', msg: 'postgres store not ready; serving NOT_SERVING and retrying' }),
      );

      await postgres.server.restart();
      await eventually(async () => (await late.health()) === 'SERVING', 'health SERVING once migrated', 3000);
      expect(await late.client.call('GetEntitlement', { account_id: 'acct-0001' })).toMatchObject({ active: true });
    } finally {
      await late.stop();
    }
  });
});
