import { FAULT_METADATA_KEY } from '@streamplane/platform';
import type { Timers } from '../timers';
import { runLoad } from '../load/generator';
import { DEFAULT_LOAD, type LoadOptions } from '../load/options';
import type { PlatformCalls } from '../load/platform-calls';
import { loadSubjects, titlesToPlay } from '../load/subjects';
import { ViewerPool, type Viewer } from '../load/viewers';
import { AbortRule, describeAbortRule, JUDGING_WINDOW_S, MIN_CONTROL_STARTS, type SecondVerdict } from './abort-rule';
import { CohortRecorder, FaultingCalls, type GrantPlacement } from './cohort';
import { fleetOf, kongCohorts, servingRegion, setRotation } from './kong';
import type { ExperimentOptions } from './options';
import { cohortReport, formatCohortSeconds, type ExperimentReport } from './report';

/**
 * An experiment, ChAP-style: the load generator's plays split into a control and an experiment cohort,
 * each offered half the rate from its own viewers (disjoint accounts), with a treatment on the
 * experiment cohort only: a fault its calls carry, or (Chaos Kong) its home region evacuated from a third
 * of the way in to two thirds. Once a second the two are compared (abort-rule.ts); on an abort the
 * treatment stops at once (no further faulted call; the region restored) and the run ends. A Kong region
 * is restored by the end whatever happened: abort, error, Ctrl-C.
 */

export interface ExperimentDependencies {
  calls: PlatformCalls;
  timers: Timers;
  /** Ends the experiment early (Ctrl-C): it is reported as aborted, and the treatment undone. */
  signal?: AbortSignal;
  /** Progress lines. */
  log: (line: string) => void;
  /** Key of the account tokens, when the platform does not use the development one. */
  secret?: string;
}

/** A play lasts this long: SPS counts starts, and short plays keep few accounts busy. */
const PLAY_MS = 2_000;
/** The country of a fault experiment's plays (both cohorts: only the fault differs). */
const FAULT_COUNTRY = 'US';
/** Accounts the platform seeds. */
const MAX_ACCOUNTS = 1_000;
/** An evacuated region is asked back this many times, a second apart, before the run says it failed. */
const RESTORE_ATTEMPTS = 3;
/** Asked of catalog with the preflight's call: a code no real answer carries. */
const PROBE_FAULT = 'catalog=DATA_LOSS';

/** What differs between a fault experiment and a Kong game day. */
interface Treatment {
  countries: { control: string; experiment: string };
  experimentCalls: PlatformCalls;
  placement?: GrantPlacement;
  /** After second t of the run. */
  onSecond?: (t: number) => void;
  /** Ends the treatment at once; idempotent. */
  stop: () => void;
  /** Stops the treatment and waits until it is undone; idempotent. */
  undo: () => Promise<void>;
  /** What the report says about the treatment, once undone. */
  reportFields: (secondsAfterStart: (ms: number | undefined) => number | null) => Partial<ExperimentReport>;
}

interface RunControl {
  /** Ends the run with an error, reported once the treatment is undone. */
  fail: (error: Error) => void;
}

/** One call with a fault only catalog honours: answered with that fault when the platform honours any. */
async function checkFaultsHonoured(calls: PlatformCalls): Promise<void> {
  const probe = await calls.call(
    'catalog',
    'ListTitles',
    { country: FAULT_COUNTRY, page_size: 1 },
    { [FAULT_METADATA_KEY]: PROBE_FAULT },
  );
  if (probe.code === 'DATA_LOSS') return;
  if (probe.code === 'OK') {
    throw new Error(
      `the platform ignores ${FAULT_METADATA_KEY}: start it with STREAMPLANE_FAULTS=enabled (STREAMPLANE_FAULTS=enabled npm start)`,
    );
  }
  throw new Error(
    `catalog answered ${probe.code}: is the platform running, and do the <SERVICE>_ADDR variables point at it?`,
  );
}

async function faultTreatment(fault: string, deps: ExperimentDependencies): Promise<Treatment> {
  await checkFaultsHonoured(deps.calls);
  const faulting = new FaultingCalls(deps.calls, fault, deps.timers);
  return {
    countries: { control: FAULT_COUNTRY, experiment: FAULT_COUNTRY },
    experimentCalls: faulting,
    stop: () => faulting.stop(),
    undo: async () => faulting.stop(),
    reportFields: (secondsAfterStart) => ({
      faultedCalls: faulting.faultedCalls,
      lastFaultedCallAtS: secondsAfterStart(faulting.lastFaultedAtMs),
    }),
  };
}

async function kongTreatment(
  region: string,
  options: ExperimentOptions,
  deps: ExperimentDependencies,
  run: RunControl,
): Promise<Treatment> {
  const { calls, timers, log } = deps;
  log('asking steering where the fleet is …');
  const fleet = await fleetOf(calls);
  const cohorts = kongCohorts(region, fleet);
  const [someTitle] = await titlesToPlay(calls, cohorts.homeCountry);
  if (!someTitle) throw new Error(`catalog lists no title available in ${cohorts.homeCountry}`);
  const servedFrom = await servingRegion(calls, cohorts.homeCountry, someTitle.titleId);
  if (servedFrom !== region) {
    throw new Error(
      `${region} is out of rotation already (steering serves ${cohorts.homeCountry} from ${servedFrom}): ` +
        'another game day may be running; restore it with steering RestoreRegion first',
    );
  }
  log(
    `${fleet.size} appliances; experiment: viewers in ${cohorts.homeCountry} (home ${region}, failover ` +
      `${cohorts.failoverRegion}); control: viewers in ${cohorts.controlCountry} (${cohorts.controlRegion})`,
  );

  // Three acts of a game day: in rotation, evacuated, restored (do the viewers come home?).
  const evacuateAfterS = Math.max(1, Math.floor(options.durationMs / 3_000));
  const restoreAfterS = Math.max(evacuateAfterS + 1, Math.floor((2 * options.durationMs) / 3_000));
  const at: { evacuating?: number; evacuated?: number; restoring?: number; restored?: number } = {};
  let evacuation: Promise<void> | undefined;
  let restoration: Promise<void> | undefined;

  const restore = async (): Promise<void> => {
    await evacuation;
    at.restoring = timers.nowMs();
    for (let attempt = 1; attempt <= RESTORE_ATTEMPTS; attempt++) {
      try {
        await setRotation(calls, region, false);
        at.restored = timers.nowMs();
        log(`${region} restored`);
        return;
      } catch (error) {
        log(`restoring ${region}, attempt ${attempt} of ${RESTORE_ATTEMPTS}: ${(error as Error).message}`);
        if (attempt < RESTORE_ATTEMPTS) await new Promise<void>((resolve) => timers.setTimeout(resolve, 1_000));
      }
    }
    log(`${region} IS STILL EVACUATED: restore it with steering RestoreRegion {"region":"${region}"}`);
  };
  const stop = () => {
    // Nothing to undo while the region was never touched.
    if (evacuation) restoration ??= restore();
  };

  return {
    countries: { control: cohorts.controlCountry, experiment: cohorts.homeCountry },
    experimentCalls: calls,
    placement: {
      regionOf: (applianceId) => fleet.get(applianceId)?.region,
      phaseOf: (intendedMs, endedMs) => {
        const phaseAt = (ms: number) => {
          if (at.evacuating === undefined || ms < at.evacuating) return 'before';
          if (at.restoring !== undefined && ms >= at.restoring) return 'after';
          return at.evacuated !== undefined && ms >= at.evacuated ? 'evacuated' : 'evacuating';
        };
        const started = phaseAt(intendedMs);
        const ended = phaseAt(endedMs);
        // In flight while the rotation changed: steering may have answered on either side, so the play
        // counts in the change itself, never in the phases either side of it.
        if (started === ended) return started;
        return ended === 'after' ? 'restoring' : 'evacuating';
      },
    },
    onSecond: (t) => {
      if (t + 1 === restoreAfterS) stop();
      if (t + 1 !== evacuateAfterS || evacuation) return;
      at.evacuating = timers.nowMs();
      log(`evacuating ${region} …`);
      evacuation = setRotation(calls, region, true).then(
        () => {
          at.evacuated = timers.nowMs();
          log(`${region} evacuated`);
        },
        (error: Error) => run.fail(error),
      );
    },
    stop,
    undo: async () => {
      stop();
      await restoration;
    },
    reportFields: (secondsAfterStart) => ({
      failoverRegion: cohorts.failoverRegion,
      evacuatedAtS: secondsAfterStart(at.evacuated),
      restoredAtS: secondsAfterStart(at.restored),
      // In rotation at the end: put back, or never taken out.
      restored: evacuation === undefined || at.restored !== undefined,
    }),
  };
}

/** Viewers a cohort needs: enough free streams for the plays it holds at once, with room to spare. */
function viewersPerCohort(cohortRate: number): number {
  return Math.max(20, Math.ceil(cohortRate * (PLAY_MS / 1000 + 1) * 1.5));
}

function judgement(verdict: SecondVerdict, abortAfterS: number): string {
  if (!verdict.judged) return 'not judged';
  return verdict.fallsShort ? `SHORT ${verdict.shortSeconds}/${abortAfterS}` : 'ok';
}

type Cohort = 'control' | 'experiment';

interface Measured {
  startedAtMs: number;
  durationS: number;
  abortedAtMs?: number;
  abortReason: string | null;
  rule: AbortRule;
  recorders: Record<Cohort, CohortRecorder>;
  viewers: Record<Cohort, number>;
}

/** Both cohorts' load, judged each second; ends at the run's end, on an abort, or on Ctrl-C. */
async function measure(
  options: ExperimentOptions,
  deps: ExperimentDependencies,
  treatment: Treatment,
  end: AbortController,
  failed: () => Error | undefined,
): Promise<Measured> {
  const { calls, timers, log } = deps;
  const cohortRate = options.rate / 2;
  const { countries } = treatment;
  log('asking the platform for viewers and titles …');
  const subjects = await loadSubjects(calls, {
    accounts: Math.min(MAX_ACCOUNTS, 2 * viewersPerCohort(cohortRate)),
    country: countries.experiment,
    secret: deps.secret,
  });
  if (subjects.viewers.length < 2) throw new Error('profiles and billing named fewer than two viewers to split');
  const titles: Record<Cohort, typeof subjects.titles> = {
    experiment: subjects.titles,
    control:
      countries.control === countries.experiment ? subjects.titles : await titlesToPlay(calls, countries.control),
  };
  // Alternate accounts, so that neither cohort gets all the accounts with more streams.
  const viewers: Record<Cohort, Viewer[]> = {
    control: subjects.viewers.filter((_, i) => i % 2 === 0),
    experiment: subjects.viewers.filter((_, i) => i % 2 === 1),
  };
  log(
    `${viewers.control.length} + ${viewers.experiment.length} viewers; offering ${cohortRate} plays/s to each cohort ` +
      `for ${options.durationMs / 1000} s`,
  );

  const rule = new AbortRule({ threshold: options.abortThreshold, abortAfterS: options.abortAfterS });
  log(describeAbortRule(rule.options));
  if (cohortRate * JUDGING_WINDOW_S < MIN_CONTROL_STARTS) {
    log(`at ${cohortRate} plays/s per cohort most seconds are too small to judge: the run can hardly abort`);
  }
  // Nothing awaits from here until both runs have started: they and the recorders share this start.
  const startedAtMs = timers.nowMs();
  const measured: Measured = {
    startedAtMs,
    durationS: 0,
    abortReason: null,
    rule,
    recorders: {
      control: new CohortRecorder(startedAtMs, treatment.placement),
      experiment: new CohortRecorder(startedAtMs, treatment.placement),
    },
    viewers: { control: viewers.control.length, experiment: viewers.experiment.length },
  };
  const abort = (reason: string) => {
    if (measured.abortedAtMs !== undefined) return;
    treatment.stop();
    measured.abortedAtMs = timers.nowMs();
    measured.abortReason = reason;
    log(`ABORT: ${reason}`);
    end.abort();
  };
  const onInterrupt = () => abort('interrupted before its end (Ctrl-C or SIGTERM)');
  deps.signal?.addEventListener('abort', onInterrupt, { once: true });
  if (deps.signal?.aborted) onInterrupt();

  const judge = (t: number) => {
    const control = measured.recorders.control.second(t);
    const experiment = measured.recorders.experiment.second(t);
    const verdict = rule.observe({ control: control.sps, experiment: experiment.sps });
    log(formatCohortSeconds(control, experiment, judgement(verdict, options.abortAfterS)));
    if (verdict.abortReason) abort(verdict.abortReason);
    else treatment.onSecond?.(t);
  };
  const load: LoadOptions = {
    ...DEFAULT_LOAD,
    rate: cohortRate,
    durationMs: options.durationMs,
    mix: [['play', 1]],
    playMs: PLAY_MS,
  };
  const cohortRun = (cohort: Cohort, cohortCalls: PlatformCalls, seed: number) =>
    runLoad(
      { ...load, seed },
      {
        calls: cohortCalls,
        viewers: new ViewerPool(viewers[cohort]),
        titles: titles[cohort],
        tokenOf: subjects.tokenOf,
        timers,
        signal: end.signal,
        country: countries[cohort],
        // One cohort's clock judges both: each second once.
        onSecond: cohort === 'control' ? judge : undefined,
        onCallEnded: (ended) => measured.recorders[cohort].record(ended),
      },
    );
  try {
    if (!end.signal.aborted) {
      await Promise.all([
        cohortRun('control', calls, options.seed),
        cohortRun('experiment', treatment.experimentCalls, options.seed + 1),
      ]);
    }
  } finally {
    deps.signal?.removeEventListener('abort', onInterrupt);
  }
  const failure = failed();
  if (failure) throw failure;
  const endedAtMs = Math.min(measured.abortedAtMs ?? Infinity, startedAtMs + options.durationMs, timers.nowMs());
  measured.durationS = Math.round(endedAtMs - startedAtMs) / 1000;
  return measured;
}

export async function runExperiment(
  options: ExperimentOptions,
  deps: ExperimentDependencies,
): Promise<ExperimentReport> {
  const end = new AbortController();
  let failure: Error | undefined;
  const run: RunControl = {
    fail: (error) => {
      failure ??= error;
      end.abort();
    },
  };
  const { target } = options;
  const treatment =
    target.kind === 'fault'
      ? await faultTreatment(target.fault, deps)
      : await kongTreatment(target.region, options, deps, run);
  let measured: Measured;
  try {
    measured = await measure(options, deps, treatment, end, () => failure);
  } finally {
    // Undone whatever happened: an abort, an error, Ctrl-C.
    await treatment.undo();
  }
  const { startedAtMs, durationS, abortedAtMs, recorders, viewers, rule } = measured;
  const secondsAfterStart = (ms: number | undefined) =>
    ms === undefined ? null : Math.round(Math.max(0, ms - startedAtMs)) / 1000;
  const cohort = (name: Cohort) =>
    cohortReport(recorders[name], { country: treatment.countries[name], viewers: viewers[name] }, durationS);
  return {
    ...(target.kind === 'fault' ? { fault: target.fault } : { kong: target.region }),
    aborted: abortedAtMs !== undefined,
    abortReason: measured.abortReason,
    durationS,
    startedAt: new Date(startedAtMs).toISOString(),
    offeredRate: options.rate,
    abortRule: describeAbortRule(rule.options),
    abortedAtS: secondsAfterStart(abortedAtMs),
    ...treatment.reportFields(secondsAfterStart),
    control: cohort('control'),
    experiment: cohort('experiment'),
  };
}
