import { ENGLISH, subtitleLanguage } from './languages';
import type { SubtitleLanguage } from './languages';
import { SeededRandom } from '@streamplane/streaming';
import type { SubtitleTrack, TitleFacts } from './track';
import { renderWebVtt } from './webvtt';
import type { CueInput } from './webvtt';

/**
 * Cue timing. The runtime is cut into equal slots and each slot holds at most one cue, placed at a random
 * offset inside it and ending at least SLOT_GAP_MS before the slot does. That one rule gives every
 * guarantee the API makes without any post-hoc fixing: cues are increasing and never overlap (each
 * stays in its slot), and all end within the runtime (the last slot ends at or before it).
 *
 * Dialogue tracks (subtitles, closed captions) draw a per-track cadence of one cue every 20–45 s, so
 * a 1-minute short gets 1–3 cues, and are capped at MAX_DIALOGUE_CUES, so a 3-hour film (which would get
 * 240–540) stays at 300 cues, about 15 KB. About one slot in ten stays empty, like a pause in the
 * dialogue. Forced narratives hold only the few moments every viewer needs: 2–6 cues.
 */
export const MAX_DIALOGUE_CUES = 300;
export const MIN_CADENCE_MS = 20_000;
export const MAX_CADENCE_MS = 45_000;
export const MIN_FORCED_CUES = 2;
export const MAX_FORCED_CUES = 6;
/** Minimum slot for a forced-narrative card, so a short film does not get a card every few seconds. */
const MIN_FORCED_SLOT_MS = 10_000;
/** Gap kept between a cue's end and the next slot (and the end of the runtime). */
const SLOT_GAP_MS = 200;
/** Cues shorter than this are unreadable; a slot that cannot hold one stays empty. */
const MIN_CUE_MS = 700;
const MIN_DIALOGUE_CUE_MS = 1_500;
const MAX_DIALOGUE_CUE_MS = 6_000;
/** Share of dialogue slots left silent, once a track has enough slots that silence cannot empty it. */
const SILENT_SLOT_RATE = 0.1;
const MIN_SLOTS_FOR_SILENCE = 4;

/** The runtime in whole milliseconds. Catalog runtimes are whole minutes, but nothing here relies on it. */
export function runtimeMs(title: TitleFacts): number {
  if (!Number.isFinite(title.runtimeMinutes) || title.runtimeMinutes < 0) {
    throw new RangeError(`title ${title.titleId} has an invalid runtime: ${title.runtimeMinutes} minutes`);
  }
  return Math.floor(title.runtimeMinutes * 60_000);
}

/**
 * The WebVTT document of a track of `title`. Deterministic: seeded by the track id and a function of the
 * runtime, so the same track of the same title always has the same bytes.
 */
export function buildTrackContent(track: SubtitleTrack, title: TitleFacts): string {
  const language = subtitleLanguage(track.language) ?? ENGLISH;
  const total = runtimeMs(title);
  const rng = new SeededRandom(`cues:${track.trackId}`);
  const cues =
    track.kind === 'FORCED_NARRATIVE'
      ? forcedCues(rng, total, language)
      : dialogueCues(rng, total, language, track.kind === 'CLOSED_CAPTIONS');
  return renderWebVtt(cues, `${title.name} · ${track.label} · ${track.trackId}`);
}

interface Slot {
  startMs: number;
  endMs: number;
}

/** `count` equal slots covering [0, total); fewer when the runtime is too short for them. */
function slots(total: number, count: number): Slot[] {
  const n = Math.min(count, Math.floor(total / (MIN_CUE_MS + SLOT_GAP_MS)));
  if (n < 1) return [];
  const length = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => ({ startMs: i * length, endMs: (i + 1) * length }));
}

/** A cue of at most `wantedMs` at a random position inside the slot, ending SLOT_GAP_MS before it does. */
function place(rng: SeededRandom, slot: Slot, wantedMs: number): { startMs: number; endMs: number } {
  const room = slot.endMs - slot.startMs - SLOT_GAP_MS;
  const duration = Math.min(wantedMs, room);
  const startMs = slot.startMs + rng.int(0, room - duration);
  return { startMs, endMs: startMs + duration };
}

function dialogueCues(rng: SeededRandom, total: number, language: SubtitleLanguage, captions: boolean): CueInput[] {
  const cadence = rng.int(MIN_CADENCE_MS, MAX_CADENCE_MS);
  const count = Math.min(MAX_DIALOGUE_CUES, Math.max(1, Math.floor(total / cadence)));
  const all = slots(total, count);
  const sounds = language.sounds ?? ENGLISH.sounds!;
  const cues: CueInput[] = [];
  for (const slot of all) {
    if (all.length >= MIN_SLOTS_FOR_SILENCE && rng.chance(SILENT_SLOT_RATE)) continue;
    const timing = place(rng, slot, rng.int(MIN_DIALOGUE_CUE_MS, MAX_DIALOGUE_CUE_MS));
    let lines: string[];
    if (captions) {
      // Closed captions describe sound as well as speech. The first cue always does, so even a
      // one-cue short shows what sets captions apart from subtitles.
      const roll = rng.int(0, 9);
      if (cues.length === 0 || roll < 3) lines = [rng.pick(sounds)];
      else if (roll < 5) lines = [rng.pick(sounds), rng.pick(language.dialogue)];
      else lines = [rng.pick(language.dialogue)];
    } else if (rng.chance(0.15)) {
      // Two speakers in one cue, each line introduced by a dash (the usual subtitle convention).
      lines = [`- ${rng.pick(language.dialogue)}`, `- ${rng.pick(language.dialogue)}`];
    } else {
      lines = [rng.pick(language.dialogue)];
    }
    cues.push({ id: String(cues.length + 1), ...timing, lines });
  }
  return cues;
}

function forcedCues(rng: SeededRandom, total: number, language: SubtitleLanguage): CueInput[] {
  const wanted = rng.int(MIN_FORCED_CUES, MAX_FORCED_CUES);
  const count = Math.max(1, Math.min(wanted, Math.floor(total / MIN_FORCED_SLOT_MS)));
  return slots(total, count).map((slot, i) => {
    const timing = place(rng, slot, rng.int(2_000, 4_000));
    // Place/time cards first, then translated foreign-language lines, cycling.
    return { id: `fn${i + 1}`, ...timing, lines: [language.forced[i % language.forced.length]!] };
  });
}
