import { FAULT_METADATA_KEY, parseFaults } from '@streamplane/platform';
import { homeRegionOf, NETWORK_REGIONS, networkRegion, SeededRandom } from '@streamplane/streaming';
import { ManualClock } from '@streamplane/testkit';
import { experimentCommand } from '../experiment';
import { AbortRule, JUDGING_WINDOW_S, MIN_CONTROL_STARTS, type SecondVerdict } from '../experiment/abort-rule';
import { kongCohorts } from '../experiment/kong';
import { EXPERIMENT_USAGE, parseExperimentArguments, type ExperimentOptions } from '../experiment/options';
import { formatExperimentReport, renderExperimentHtml, type ExperimentReport } from '../experiment/report';
import { runExperiment } from '../experiment/run';
import type { CallOutcome, PlatformCalls } from '../load/platform-calls';

/**
 * `npm run experiment` without processes: its options and usage errors, the abort rule on per-second
 * data, and whole experiments on a manual clock against a fake platform that honours the fault header
 * and evacuates regions, asserting on the report and on every call the platform was sent.
 */

describe('options', () => {
  test('defaults: 40 plays/s in all, 60 s, abort below 90 % of control for 5 s', () => {
    expect(parseExperimentArguments(['--fault', 'subtitles=UNAVAILABLE'])).toEqual({
      target: { kind: 'fault', fault: 'subtitles=UNAVAILABLE' },
      rate: 40,
      durationMs: 60_000,
      abortThreshold: 0.1,
      abortAfterS: 5,
      seed: 1,
    });
  });

  test('every option, and --kong instead of --fault', () => {
    const args = ['--kong', 'us-east', '--rate', '12', '--duration', '2m', '--abort-threshold', '0.25'];
    expect(
      parseExperimentArguments([
        ...args,
        '--abort-after',
        '3s',
        '--seed',
        '9',
        '--report',
        'x.json',
        '--html',
        'x.html',
      ]),
    ).toEqual({
      target: { kind: 'kong', region: 'us-east' },
      rate: 12,
      durationMs: 120_000,
      abortThreshold: 0.25,
      abortAfterS: 3,
      seed: 9,
      reportPath: 'x.json',
      htmlPath: 'x.html',
    });
  });

  test.each([
    [[], 'name exactly one of --fault or --kong'],
    [['--fault', 'billing=UNAVAILABLE', '--kong', 'us-east'], 'name exactly one of --fault or --kong'],
    [
      ['--fault', 'billing'],
      '--fault: "billing" is not of the form <service>=<status|latency ms>[@response][#attempt]',
    ],
    [['--fault', 'billing=NOPE'], '--fault: "NOPE" is neither a gRPC status name nor a latency in ms'],
    [['--fault', 'biling=UNAVAILABLE'], '--fault: biling is not a service (catalog, profiles, recommendations,'],
    [['--fault', ' , '], '--fault names no fault'],
    [['--kong', 'mars'], '--kong: mars is not a region (us-east, us-west, eu-west, ap-south)'],
    [['--kong', 'us-east', '--rate', '0'], '--rate takes a number from 1 to 2000 (got 0)'],
    [['--kong', 'us-east', '--duration', '1s'], '--duration must be between 2s and 1h'],
    [['--kong', 'us-east', '--abort-after', '1500ms'], '--abort-after takes whole seconds from 1s to 1h (got 1500ms)'],
    [['--kong', 'us-east', '--abort-threshold', '1'], '--abort-threshold takes a number from 0 to 0.99 (got 1)'],
    [['--kong', 'us-east', '--mix', 'play=1'], 'unknown option --mix'],
    [['--kong'], '--kong needs a value'],
  ])('%j is refused: %s', (args, message) => {
    expect(() => parseExperimentArguments(args)).toThrow(message);
  });

  test('bad usage exits 2 with a one-line reason and the usage, before dialling anything', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((text: string) => void errors.push(text));
    const connect = jest.fn();
    try {
      expect(await experimentCommand(['--fault', 'billing=NOPE'], {}, connect)).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(connect).not.toHaveBeenCalled();
    expect(errors).toEqual([
      `npm run experiment: --fault: "NOPE" is neither a gRPC status name nor a latency in ms\n${EXPERIMENT_USAGE}`,
    ]);
  });
});

describe('abort rule', () => {
  /** The verdicts of a run of per-second stream starts. */
  const judge = (seconds: ReadonlyArray<readonly [number, number]>, threshold = 0.1, abortAfterS = 5) => {
    const rule = new AbortRule({ threshold, abortAfterS });
    return seconds.map(([control, experiment]) => rule.observe({ control, experiment }));
  };
  /** "control/experiment" starts, a second each: "20/0 20/18". */
  const seconds = (text: string) => text.split(' ').map((second) => second.split('/').map(Number) as [number, number]);
  const firstAbort = (verdicts: SecondVerdict[]) => verdicts.find((verdict) => verdict.abortReason);

  /** A Poisson count of mean λ (Knuth), from a seeded stream. */
  const poisson = (random: SeededRandom, lambda: number) => {
    const limit = Math.exp(-lambda);
    let count = 0;
    for (let product = random.float(); product > limit; product *= random.float()) count++;
    return count;
  };

  test('experiment at zero against a steady control: aborted on the fifth judged second, saying why', () => {
    const verdicts = judge(Array.from({ length: 10 }, () => [20, 0] as const));
    expect(verdicts.map((verdict) => verdict.shortSeconds)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(firstAbort(verdicts)?.t).toBe(4);
    expect(firstAbort(verdicts)?.abortReason).toBe(
      'experiment SPS fell more than 10 % below control for 5 s in a row (last 5 s: 0 vs 20)',
    );
    expect(verdicts.filter((verdict) => verdict.abortReason)).toHaveLength(1);
  });

  test('seconds where control is too small to judge are ignored: they neither count nor reset', () => {
    // Control's window sums: 12 for five seconds, then five seconds of 0 starts bring it below the minimum.
    const verdicts = judge(seconds('12/0 0/0 0/0 0/0 0/0 0/0 12/0 12/0 12/0'), 0.1, 8);
    expect(verdicts.map((verdict) => verdict.judged)).toEqual([true, true, true, true, true, false, true, true, true]);
    expect(verdicts.map((verdict) => verdict.shortSeconds)).toEqual([1, 2, 3, 4, 5, 5, 6, 7, 8]);
    expect(firstAbort(verdicts)?.t).toBe(8);
    expect(MIN_CONTROL_STARTS).toBe(10);
  });

  test('a judged second that holds up resets the count', () => {
    const verdicts = judge(seconds('20/0 20/0 20/0 20/100 20/0 20/0 20/0 20/0 20/0'), 0.1, 5);
    expect(verdicts.map((verdict) => verdict.shortSeconds)).toEqual([1, 2, 3, 0, 0, 0, 0, 0, 1]);
    expect(firstAbort(verdicts)).toBeUndefined();
  });

  test('the window is the last few seconds: a shortfall inside it counts until it slides out', () => {
    const verdicts = judge(
      [
        [20, 20],
        [20, 20],
        [20, 0],
        [20, 20],
        [20, 20],
        [20, 20],
      ],
      0.1,
      1,
    );
    expect(JUDGING_WINDOW_S).toBe(5);
    expect(verdicts.map((verdict) => verdict.windowExperiment)).toEqual([20, 40, 40, 60, 80, 80]);
    expect(verdicts.map((verdict) => verdict.fallsShort)).toEqual([false, false, false, false, false, false]);
  });

  /** Of 100 seeded 60 s experiments at 20 starts a second per cohort, those that aborted. */
  const abortedRuns = (experimentRate: number, seed: number) => {
    const random = new SeededRandom(seed);
    let aborted = 0;
    for (let run = 0; run < 100; run++) {
      const starts = Array.from({ length: 60 }, () => [poisson(random, 20), poisson(random, experimentRate)] as const);
      if (firstAbort(judge(starts))) aborted++;
    }
    return aborted;
  };

  test('equal cohorts at 20 SPS: noise alone aborts at most 3 of 100 runs of 60 s (seeded)', () => {
    expect(abortedRuns(20, 2024)).toBeLessThanOrEqual(3);
  });

  test('a 5 % dip, under the 10 % threshold, aborts at most 10 of 100 runs', () => {
    expect(abortedRuns(19, 99)).toBeLessThanOrEqual(10);
  });

  test('a 40 % drop at 20 SPS aborts at least 95 of 100 runs; a halving aborts within seconds', () => {
    expect(abortedRuns(12, 7)).toBeGreaterThanOrEqual(95);
    const random = new SeededRandom(7);
    const halved = judge(Array.from({ length: 60 }, () => [poisson(random, 20), poisson(random, 10)] as const));
    expect(firstAbort(halved)?.t).toBeLessThanOrEqual(12);
  });
});

describe('Kong cohorts', () => {
  test("the evacuated region's largest market against that of a region neither evacuated nor taking over", () => {
    const fleet = new Map(
      ['US', 'US', 'CA', 'DE', 'GB', 'GB', 'JP'].map((country, i) => [
        `oca-${i}`,
        { country, region: homeRegionOf(country)!.name },
      ]),
    );
    expect(kongCohorts('us-east', fleet)).toEqual({
      region: 'us-east',
      failoverRegion: 'us-west',
      homeCountry: 'US',
      controlRegion: 'eu-west',
      controlCountry: 'GB',
    });
    // eu-west fails over to us-east: control comes from us-west, the first region left.
    expect(kongCohorts('eu-west', fleet)).toMatchObject({ homeCountry: 'GB', controlRegion: 'us-west' });
  });
});

interface SentCall {
  service: string;
  method: string;
  request: Record<string, unknown>;
  fault?: string;
  atMs: number;
}

/**
 * A platform on a manual clock: seeded accounts, one title, plays that honour billing and subtitles
 * faults when faults are enabled, and a fleet of two appliances per region whose rotation
 * EvacuateRegion and RestoreRegion change, as steering's do.
 */
function fakePlatform(clock: ManualClock, { faults = true, refuseEvacuation = false } = {}) {
  const sent: SentCall[] = [];
  const evacuated = new Set<string>();
  const appliances = NETWORK_REGIONS.flatMap((region) =>
    [1, 2].map((n) => ({
      appliance_id: `oca-${region.name}-0000${n}`,
      region: region.name,
      country: region.homeCountries.at(-1),
    })),
  );
  const servingRegionOf = (country: string) => {
    const home = homeRegionOf(country)!;
    return evacuated.has(home.name) ? home.failover : home.name;
  };
  const answer = (call: SentCall): CallOutcome => {
    const injected = faults && call.fault ? parseFaults(call.fault) : [];
    const failing = (service: string) => injected.some((fault) => fault.service === service && fault.failWith);
    const region = () => servingRegionOf((call.request.client as { country: string }).country);
    switch (call.method) {
      case 'ListTitles':
        if (failing('catalog')) return { code: 'DATA_LOSS', details: 'injected fault: catalog answered DATA_LOSS' };
        return { code: 'OK', response: { titles: [{ title_id: 'tt00001', name: 'A Title', maturity_level: 13 }] } };
      case 'ListProfiles':
        return {
          code: 'OK',
          response: { profiles: [{ profile_id: `${call.request.account_id}-p1`, maturity_level: 18, kids: false }] },
        };
      case 'GetEntitlement':
        return { code: 'OK', response: { active: true, max_streams: 2 } };
      case 'AuthorizePlayback':
        if (failing('billing')) return { code: 'UNAVAILABLE', details: 'billing is unavailable' };
        return {
          code: 'OK',
          response: {
            playback_session_id: `s-${sent.length}`,
            expires_at: { seconds: Math.floor(clock.nowMs() / 1000) + 60 },
            cdn_urls: [{ appliance_id: `oca-${region()}-00001`, rank: 1 }],
            degraded_features: failing('subtitles') ? ['subtitles'] : [],
          },
        };
      case 'ListAppliances':
        return { code: 'OK', response: { appliances, next_page_token: '' } };
      case 'SteerPlayback':
        return { code: 'OK', response: { candidates: [{ region: region() }] } };
      case 'EvacuateRegion':
        if (refuseEvacuation) return { code: 'UNAVAILABLE', details: 'steering is unavailable' };
        evacuated.add(call.request.region as string);
        return { code: 'OK', response: { state: { evacuated: true } } };
      case 'RestoreRegion':
        evacuated.delete(call.request.region as string);
        return { code: 'OK', response: { state: { evacuated: false } } };
      default:
        return { code: 'OK', response: {} };
    }
  };
  const calls: PlatformCalls = {
    call(service, method, request, metadata = {}) {
      const call: SentCall = {
        service,
        method,
        request: request as Record<string, unknown>,
        fault: metadata[FAULT_METADATA_KEY],
        atMs: clock.nowMs(),
      };
      sent.push(call);
      return new Promise((resolve) => clock.setTimeout(() => resolve(answer(call)), 5));
    },
    close: () => undefined,
  };
  return { calls, sent, evacuated };
}

/** Runs an experiment to its end on the manual clock, letting every answer arrive between steps. */
async function experiment(
  options: Partial<ExperimentOptions> & Pick<ExperimentOptions, 'target'>,
  clock: ManualClock,
  calls: PlatformCalls,
  { signal, atStep }: { signal?: AbortSignal; atStep?: (step: number) => void } = {},
) {
  const lines: string[] = [];
  const full: ExperimentOptions = {
    rate: 40,
    durationMs: 9_000,
    abortThreshold: 0.1,
    abortAfterS: 3,
    seed: 3,
    ...options,
  };
  const finished = runExperiment(full, { calls, timers: clock, signal, log: (line) => void lines.push(line) });
  let done = false;
  void finished.then(
    () => (done = true),
    () => (done = true),
  );
  for (let step = 0; !done && step < 100_000; step++) {
    atStep?.(step);
    clock.advance(10);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { report: await finished, lines };
}

const startedAt = (report: ExperimentReport) => Date.parse(report.startedAt);

describe('an experiment against a fake platform', () => {
  test('a fault that holds: rides only on the experiment cohort; plays degraded there; runs to the end', async () => {
    const clock = new ManualClock();
    const { calls, sent } = fakePlatform(clock);
    const { report } = await experiment({ target: { kind: 'fault', fault: 'subtitles=UNAVAILABLE' } }, clock, calls);

    expect(report).toMatchObject({ fault: 'subtitles=UNAVAILABLE', aborted: false, abortReason: null, durationS: 9 });
    const plays = sent.filter((call) => call.method === 'AuthorizePlayback');
    const faulted = plays.filter((call) => call.fault === 'subtitles=UNAVAILABLE');
    // 20 plays/s per cohort for 9 s: 180 each, ±4σ of a Poisson count.
    for (const cohort of [report.control, report.experiment]) {
      expect(cohort.plays).toBeGreaterThan(125);
      expect(cohort.plays).toBeLessThan(235);
      expect(cohort.ok).toBe(cohort.plays);
      expect(cohort.perSecond).toHaveLength(9);
    }
    expect(faulted).toHaveLength(report.experiment.plays);
    expect(plays).toHaveLength(report.control.plays + report.experiment.plays);
    expect(report.experiment.degraded).toBe(report.experiment.ok);
    expect(report.control.degraded).toBe(0);
    // Every call of the experiment's viewers carried the fault, and none of control's.
    const experimentProfiles = new Set(faulted.map((call) => call.request.profile_id));
    const controlPlays = plays.filter((call) => call.fault === undefined);
    expect(controlPlays.some((call) => experimentProfiles.has(call.request.profile_id))).toBe(false);
    expect(report.faultedCalls).toBe(sent.filter((call) => call.fault === 'subtitles=UNAVAILABLE').length);
  });

  test('a fault that fails the plays: aborted after the configured seconds, and no faulted call after that', async () => {
    const clock = new ManualClock();
    const { calls, sent } = fakePlatform(clock);
    const { report, lines } = await experiment(
      { target: { kind: 'fault', fault: 'billing=UNAVAILABLE' }, durationMs: 30_000 },
      clock,
      calls,
    );

    expect(report.aborted).toBe(true);
    expect(report.abortReason).toMatch(/^experiment SPS fell more than 10 % below control for 3 s in a row/);
    // Judged from the first second on: the third second's verdict aborts.
    expect(report.abortedAtS).toBeGreaterThanOrEqual(3);
    expect(report.abortedAtS).toBeLessThan(3.1);
    expect(report.durationS).toBe(report.abortedAtS);
    expect(report.experiment.ok).toBe(0);
    expect(report.experiment.errors).toEqual({ UNAVAILABLE: report.experiment.plays });
    expect(report.control.errors).toEqual({});
    // The report's times are in whole milliseconds: 1 ms of rounding.
    const abortedAt = startedAt(report) + report.abortedAtS! * 1000 + 1;
    const faulted = sent.filter((call) => call.fault !== undefined && call.service !== 'catalog');
    expect(faulted.length).toBeGreaterThan(30);
    expect(faulted.filter((call) => call.atMs > abortedAt)).toEqual([]);
    expect(report.lastFaultedCallAtS).toBeLessThanOrEqual(report.abortedAtS!);
    expect(lines.filter((line) => line.startsWith('ABORT: '))).toHaveLength(1);
  });

  test('a platform that ignores the fault header is refused before any load', async () => {
    const clock = new ManualClock();
    const { calls, sent } = fakePlatform(clock, { faults: false });
    await expect(
      experiment({ target: { kind: 'fault', fault: 'billing=UNAVAILABLE' } }, clock, calls).then(
        ({ report }) => report,
      ),
    ).rejects.toThrow('the platform ignores x-streamplane-fault: start it with STREAMPLANE_FAULTS=enabled');
    expect(sent.map((call) => call.method)).toEqual(['ListTitles']);
  });
});

describe('Chaos Kong against a fake platform', () => {
  const kong = { kind: 'kong', region: 'us-east' } as const;
  const rotationCalls = (sent: SentCall[]) =>
    sent
      .filter((call) => call.method === 'EvacuateRegion' || call.method === 'RestoreRegion')
      .map((call) => call.method);

  test("evacuates a third of the way in: the region's viewers go on playing from the failover; restored two thirds in, they come home", async () => {
    const clock = new ManualClock();
    const { calls, sent, evacuated } = fakePlatform(clock);
    const { report } = await experiment({ target: kong }, clock, calls);

    expect(report).toMatchObject({ kong: 'us-east', aborted: false, failoverRegion: 'us-west', restored: true });
    const home = networkRegion('us-east')!.homeCountries.at(-1);
    expect(report.experiment.country).toBe(home);
    expect(homeRegionOf(report.control.country)?.name).toBe('eu-west');
    expect(report.evacuatedAtS).toBeGreaterThanOrEqual(3);
    expect(report.evacuatedAtS).toBeLessThan(3.1);
    expect(report.restoredAtS).toBeGreaterThanOrEqual(6);
    expect(report.restoredAtS).toBeLessThan(6.1);
    expect(rotationCalls(sent)).toEqual(['EvacuateRegion', 'RestoreRegion']);
    expect(evacuated.size).toBe(0);
    expect(Object.keys(report.experiment.servedFrom!.before!)).toEqual(['us-east']);
    expect(Object.keys(report.experiment.servedFrom!.evacuated!)).toEqual(['us-west']);
    expect(report.experiment.servedFrom!.evacuated!['us-west']).toBeGreaterThan(30);
    expect(Object.keys(report.control.servedFrom!.evacuated!)).toEqual(['eu-west']);
    expect(Object.keys(report.experiment.servedFrom!.after!)).toEqual(['us-east']);
    expect(report.experiment.ok).toBe(report.experiment.plays);
  });

  test('Ctrl-C after the evacuation ends the game day at once, aborted, and the region is restored', async () => {
    const clock = new ManualClock();
    const { calls, sent, evacuated } = fakePlatform(clock);
    const interrupt = new AbortController();
    let interruptedAt = 0;
    const { report } = await experiment({ target: kong, durationMs: 30_000 }, clock, calls, {
      signal: interrupt.signal,
      atStep: () => {
        if (evacuated.size > 0 && !interrupt.signal.aborted) {
          interruptedAt = clock.nowMs();
          interrupt.abort();
        }
      },
    });
    expect(report).toMatchObject({ aborted: true, restored: true });
    expect(report.abortReason).toBe('interrupted before its end (Ctrl-C or SIGTERM)');
    expect(report.durationS).toBeLessThan(11);
    const restore = sent.find((call) => call.method === 'RestoreRegion')!;
    // At once: within the step of manual time the interruption fell in.
    expect(restore.atMs - interruptedAt).toBeLessThanOrEqual(10);
    expect(evacuated.size).toBe(0);
  });

  test('an evacuation steering refuses fails the run, and the region is still asked back', async () => {
    const clock = new ManualClock();
    const { calls, sent } = fakePlatform(clock, { refuseEvacuation: true });
    await expect(experiment({ target: kong }, clock, calls).then(({ report }) => report)).rejects.toThrow(
      'steering EvacuateRegion answered UNAVAILABLE (steering is unavailable)',
    );
    expect(rotationCalls(sent)).toEqual(['EvacuateRegion', 'RestoreRegion']);
  });
});

describe('report', () => {
  test('JSON with the design fields, a table, and a page of both SPS curves that needs nothing else', async () => {
    const clock = new ManualClock();
    const { calls } = fakePlatform(clock);
    const { report } = await experiment(
      { target: { kind: 'fault', fault: 'subtitles=UNAVAILABLE' }, durationMs: 4_000 },
      clock,
      calls,
    );
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining(['fault', 'aborted', 'abortReason', 'durationS', 'control', 'experiment']),
    );
    for (const cohort of [report.control, report.experiment]) {
      expect(Object.keys(cohort)).toEqual(
        expect.arrayContaining(['plays', 'ok', 'degraded', 'errors', 'sps', 'p99Ms', 'perSecond']),
      );
      expect(cohort.sps).toBeCloseTo(cohort.ok / report.durationS, 2);
      expect(cohort.perSecond.reduce((sum, second) => sum + second.sps, 0)).toBeLessThanOrEqual(cohort.ok);
      expect(Object.keys(cohort.perSecond[0]!)).toEqual(['t', 'plays', 'sps', 'degraded', 'p99Ms', 'errors']);
    }
    const table = formatExperimentReport(report);
    expect(table.split('\n')[0]).toBe(
      'fault subtitles=UNAVAILABLE · 40 plays/s (half per cohort) · 4 s · ran to the end',
    );
    expect(table).toMatch(/degraded +0 \(0 %\) +\d+ \(100 %\)/);
    const page = renderExperimentHtml(report);
    const spsChart = page.slice(page.indexOf('aria-label="Stream starts per second"'), page.indexOf('</svg>'));
    expect(spsChart.match(/<polyline/g)).toHaveLength(2);
    expect(spsChart).toContain('■ control');
    expect(spsChart).toContain('■ experiment');
    // Self-contained: nothing fetched (the SVG namespace is a name, not a request).
    expect(page.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:|<script|<link/);
  });
});
