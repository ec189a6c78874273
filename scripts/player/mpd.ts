/**
 * The DASH manifests the edge writes (ISO/IEC 23009-1, static, SegmentTemplate with $Number$ addressing,
 * one video AdaptationSet), read into what the player needs: the renditions, the segment count and how
 * to name a segment. A small reader of that profile rather than a general DASH parser, so the shipped
 * tools carry no XML stack; the tests hold it to mpd-parser on the edge's manifests. Anything outside the
 * profile (a SegmentTimeline, several periods, no template) is refused with a reason, never guessed.
 */

export interface MpdRendition {
  id: string;
  bitrateKbps: number;
  width: number;
  height: number;
  codecs: string;
}

export interface Manifest {
  durationS: number;
  segmentDurationS: number;
  startNumber: number;
  segmentCount: number;
  /** Ascending bitrate. */
  renditions: MpdRendition[];
  /** Templates as written, with $RepresentationID$, $Number$ and $Bandwidth$ placeholders. */
  mediaTemplate: string;
  initializationTemplate: string;
}

export class ManifestError extends Error {}

/** Representations at most: a ladder is a dozen rungs, so more means this is not a manifest we read. */
const MAX_REPRESENTATIONS = 100;

export function parseMpd(xml: string): Manifest {
  const mpd = firstElement(xml, 'MPD');
  if (!mpd) throw new ManifestError('no <MPD> element');
  if ((attribute(mpd.attributes, 'type') ?? 'static') !== 'static')
    throw new ManifestError('only static (on-demand) manifests are played');
  if (countElements(xml, 'Period') > 1) throw new ManifestError('several periods are not supported');
  if (countElements(xml, 'SegmentTimeline') > 0) throw new ManifestError('SegmentTimeline addressing is not supported');
  const durationS = parseIsoDuration(attribute(mpd.attributes, 'mediaPresentationDuration'));
  const adaptationSet = videoAdaptationSet(xml);
  const template = firstElement(adaptationSet, 'SegmentTemplate');
  if (!template) throw new ManifestError('the video AdaptationSet has no SegmentTemplate');
  const timescale = positiveNumber(template.attributes, 'timescale', 1);
  const segmentDurationS = positiveNumber(template.attributes, 'duration') / timescale;
  const startNumber = positiveNumber(template.attributes, 'startNumber', 1);
  const mediaTemplate = requiredAttribute(template.attributes, 'media', 'SegmentTemplate');
  const initializationTemplate = requiredAttribute(template.attributes, 'initialization', 'SegmentTemplate');
  const renditions = elements(adaptationSet, 'Representation').map(({ attributes }) => ({
    id: requiredAttribute(attributes, 'id', 'Representation'),
    bitrateKbps: positiveNumber(attributes, 'bandwidth') / 1000,
    width: positiveNumber(attributes, 'width', 0),
    height: positiveNumber(attributes, 'height', 0),
    codecs: attribute(attributes, 'codecs') ?? '',
  }));
  if (renditions.length === 0) throw new ManifestError('the video AdaptationSet has no Representation');
  if (renditions.length > MAX_REPRESENTATIONS)
    throw new ManifestError(`more than ${MAX_REPRESENTATIONS} Representations`);
  return {
    durationS,
    segmentDurationS,
    startNumber,
    segmentCount: Math.ceil(durationS / segmentDurationS - 1e-9),
    renditions: renditions.sort((a, b) => a.bitrateKbps - b.bitrateKbps),
    mediaTemplate,
    initializationTemplate,
  };
}

/**
 * The URL of a segment (a number) or of the initialization segment ('init') on the appliance behind
 * `cdnUrl`: the template resolved against that URL, with that URL's `expires` and `sig`. The signature is
 * per appliance, so after a failover the query of the manifest first fetched would be refused.
 */
export function segmentUrl(
  manifest: Manifest,
  rendition: MpdRendition,
  segment: number | 'init',
  cdnUrl: string,
): string {
  const template = segment === 'init' ? manifest.initializationTemplate : manifest.mediaTemplate;
  const path = template
    .replaceAll('$RepresentationID$', rendition.id)
    .replaceAll('$Bandwidth$', String(Math.round(rendition.bitrateKbps * 1000)))
    .replace(/\$Number(?:%0(\d+)d)?\$/g, (_, width: string | undefined) =>
      String(segment === 'init' ? manifest.startNumber : segment).padStart(Number(width ?? 0), '0'),
    )
    .replaceAll('$$', '$');
  const base = new URL(cdnUrl);
  const resolved = new URL(path, base);
  resolved.search = base.search;
  return resolved.toString();
}

interface XmlElement {
  attributes: string;
  /** Everything up to the element's end tag (empty for a self-closing element). */
  body: string;
}

function elements(xml: string, name: string): XmlElement[] {
  const pattern = new RegExp(`<(?:\\w+:)?${name}(\\s[^>]*?)?(/?)>`, 'g');
  const found: XmlElement[] = [];
  for (const match of xml.matchAll(pattern)) {
    const selfClosing = match[2] === '/';
    const start = match.index + match[0].length;
    const end = selfClosing ? start : xml.indexOf(`</${name}>`, start);
    found.push({ attributes: match[1] ?? '', body: selfClosing ? '' : xml.slice(start, end < 0 ? undefined : end) });
  }
  return found;
}

function firstElement(xml: string, name: string): XmlElement | undefined {
  return elements(xml, name)[0];
}

function countElements(xml: string, name: string): number {
  return elements(xml, name).length;
}

function videoAdaptationSet(xml: string): string {
  const sets = elements(xml, 'AdaptationSet');
  const video = sets.filter(({ attributes }) =>
    [attribute(attributes, 'contentType'), attribute(attributes, 'mimeType')].some((kind) => kind?.startsWith('video')),
  );
  if (video.length !== 1) throw new ManifestError(`expected one video AdaptationSet, found ${video.length}`);
  return `<AdaptationSet${video[0]!.attributes}>${video[0]!.body}`;
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attributes);
  const raw = match?.[1] ?? match?.[2];
  return raw === undefined ? undefined : unescapeXml(raw);
}

function requiredAttribute(attributes: string, name: string, element: string): string {
  const value = attribute(attributes, name);
  if (value === undefined || value === '') throw new ManifestError(`${element} has no ${name}`);
  return value;
}

function positiveNumber(attributes: string, name: string, fallback?: number): number {
  const text = attribute(attributes, name);
  if (text === undefined && fallback !== undefined) return fallback;
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value < 0)
    throw new ManifestError(`${name} must be a number ≥ 0 (got ${text ?? 'nothing'})`);
  return value;
}

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity[0] !== '#') return named[entity.toLowerCase()]!;
    return String.fromCodePoint(
      entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)),
    );
  });
}

/** xs:duration as manifests write it (PT1H32M0S, PT0.5S, P1DT2H); years and months have no fixed length. */
export function parseIsoDuration(text: string | undefined): number {
  const match = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    text ?? '',
  );
  if (!match || text === 'P' || text === 'PT')
    throw new ManifestError(
      `mediaPresentationDuration must be an xs:duration such as PT1H32M0S (got ${text ?? 'nothing'})`,
    );
  const [days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
  ];
  return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
}
