import { status } from '@grpc/grpc-js';
import { statusError } from '@streamplane/platform';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@streamplane/platform/errors';
import { expectRejects, ManualClock } from '@streamplane/testkit';
import { InMemoryProfileStore } from '../../src/adapters/in-memory-profile-store';
import type { TitleRuntimes } from '../../src/application/ports';
import { ViewingProgress } from '../../src/application/viewing-progress';
import { ProfilesDomain } from '../../src/domain';

/** A TitleRuntimes port that answers from a table, or with `failure` when one is set; counts the calls. */
class FakeTitleRuntimes implements TitleRuntimes {
  readonly asked: string[] = [];
  failure: Error | undefined;

  constructor(private readonly runtimes: Record<string, number>) {}

  async secondsOf(titleId: string): Promise<number> {
    this.asked.push(titleId);
    if (this.failure) throw this.failure;
    const seconds = this.runtimes[titleId];
    if (seconds === undefined) throw new NotFoundError('title', titleId);
    return seconds;
  }
}

describe('ViewingProgress.record', () => {
  let clock: ManualClock;
  let runtimes: FakeTitleRuntimes;
  let domain: ProfilesDomain;
  let progress: ViewingProgress;

  beforeEach(async () => {
    clock = new ManualClock('2026-06-01T20:00:00.000Z');
    runtimes = new FakeTitleRuntimes({ tt00001: 7440, tt00002: 1320 });
    const store = new InMemoryProfileStore();
    await store.addAccount('acct-a');
    domain = new ProfilesDomain(store, { clock });
    await domain.createProfile({ accountId: 'acct-a', name: 'Anna' });
    progress = new ViewingProgress(domain, runtimes);
  });

  const history = async () => (await domain.viewingHistory('acct-a-p1')).entries;

  it('records the position against the runtime the port gives, stamped with the clock', async () => {
    const entry = await progress.record('acct-a-p1', 'tt00001', 1200);
    expect(entry).toEqual({
      titleId: 'tt00001',
      positionSeconds: 1200,
      runtimeSeconds: 7440,
      completed: false,
      watchedAt: new Date('2026-06-01T20:00:00.000Z'),
    });
    expect(runtimes.asked).toEqual(['tt00001']);
    expect(await history()).toEqual([entry]);
  });

  it('judges completion and the upper bound by the port’s runtime', async () => {
    expect((await progress.record('acct-a-p1', 'tt00002', 1254)).completed).toBe(true);
    await expectRejects(
      progress.record('acct-a-p1', 'tt00002', 1321),
      InvalidArgumentError,
      'position_seconds: ',
      '(1320 seconds)',
      'got 1321',
    );
    expect(runtimes.asked).toEqual(['tt00002', 'tt00002']);
    expect((await history()).map((e) => [e.titleId, e.positionSeconds])).toEqual([['tt00002', 1254]]);
  });

  it('takes watched_at from the clock on every recording', async () => {
    await progress.record('acct-a-p1', 'tt00001', 60);
    clock.advance(90_000);
    await progress.record('acct-a-p1', 'tt00002', 30);
    clock.advance(3_600_000);
    const again = await progress.record('acct-a-p1', 'tt00001', 120);
    expect(again.watchedAt).toEqual(new Date('2026-06-01T21:01:30.000Z'));
    expect((await history()).map((e) => [e.titleId, e.watchedAt.toISOString()])).toEqual([
      ['tt00001', '2026-06-01T21:01:30.000Z'],
      ['tt00002', '2026-06-01T20:01:30.000Z'],
    ]);
  });

  it('lets NOT_FOUND from the port through and records nothing', async () => {
    await expectRejects(progress.record('acct-a-p1', 'tt99999', 1), NotFoundError, 'title "tt99999" not found');
    const answer = statusError(status.NOT_FOUND, 'title "tt99998" not found');
    runtimes.failure = answer;
    await expect(progress.record('acct-a-p1', 'tt99998', 1)).rejects.toBe(answer);
    expect(runtimes.asked).toEqual(['tt99999', 'tt99998']);
    expect(await history()).toEqual([]);
  });

  it('fails with UNAVAILABLE when the port fails closed, and records nothing', async () => {
    runtimes.failure = new UnavailableError('catalog is unavailable: connect ECONNREFUSED');
    await expectRejects(progress.record('acct-a-p1', 'tt00001', 5), UnavailableError, 'catalog is unavailable');
    expect(runtimes.asked).toEqual(['tt00001']);
    expect(await history()).toEqual([]);
  });

  it('answers NOT_FOUND for an unknown profile without asking the port', async () => {
    await expectRejects(progress.record('acct-a-p9', 'tt00001', 5), NotFoundError, 'profile "acct-a-p9" not found');
    expect(runtimes.asked).toEqual([]);
  });
});
