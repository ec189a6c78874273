import { z } from 'zod';
import { CHAOS_SOURCES, type ChaosEvent } from '../domain';

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const chaosEventBody = z.object({
  source: z.enum(CHAOS_SOURCES, { error: `expected one of ${CHAOS_SOURCES.join(', ')}` }),
  kind: text(64),
  service: text(64).optional(),
  text: text(500),
  at: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 time such as 2025-01-31T12:00:00Z' }).optional(),
});

/** A POSTed chaos event, or the one-line reason it is none. */
export function parseChaosEvent(body: unknown, now: Date): ChaosEvent | { problem: string } {
  const result = chaosEventBody.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return { problem: issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message };
  }
  const { at, service, ...rest } = result.data;
  return { ...rest, ...(service ? { service } : {}), at: new Date(at ?? now).toISOString() };
}
