import { CDN_DOMAIN } from '@streamplane/streaming';

/**
 * How the appliance reads a request's target: which title resource it names and under which signed URL.
 * A path segment stays exactly as the client spelled it, because the signature is checked over the URL
 * rebuilt from those spellings (see signedTitleUrl): nothing is normalised into a second valid URL.
 */

export type EdgeResource =
  | { readonly kind: 'manifest'; readonly titleId: string; readonly titleSegment: string }
  | {
      readonly kind: 'segment';
      readonly titleId: string;
      readonly titleSegment: string;
      readonly renditionId: string;
      readonly segment: 'init' | number;
    };

const TITLE_PATH =
  /^\/titles\/(?<title>[^/]+)(?:\/(?<rendition>[^/]+)\/(?:(?<init>init\.mp4)|(?<number>[1-9][0-9]*)\.m4s))?$/;

/** The resource a request path names, or a reason why it names none (a 404). */
export function parseEdgePath(path: string): EdgeResource | { readonly notFound: string } {
  const parts = TITLE_PATH.exec(path)?.groups;
  if (!parts) {
    return { notFound: 'no such resource: paths are /titles/<title_id>[/<rendition_id>/(init.mp4|<n>.m4s)]' };
  }
  const titleSegment = parts.title!;
  const titleId = decodedSegment(titleSegment);
  if (titleId === undefined) return { notFound: 'the title id is not a valid percent-encoded path segment' };
  if (parts.rendition === undefined) return { kind: 'manifest', titleId, titleSegment };
  const segment = parts.init ? 'init' : Number(parts.number);
  if (segment !== 'init' && !Number.isSafeInteger(segment))
    return { notFound: `segment ${parts.number} is past the end` };
  return { kind: 'segment', titleId, titleSegment, renditionId: parts.rendition, segment };
}

function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // URIError: a truncated or invalid percent-encoding
  }
}

/** The URL steering (or playback-authorization, for the origin) signed for this title on this appliance. */
export function signedTitleUrl(applianceId: string, titleSegment: string, expires: string, sig: string): string {
  return `https://${applianceId}.${CDN_DOMAIN}/titles/${titleSegment}?expires=${expires}&sig=${sig}`;
}
