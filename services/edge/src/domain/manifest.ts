import { SEGMENT_SECONDS, type Rendition, type TitleMedia } from './title-media';

/**
 * The title's DASH manifest (ISO/IEC 23009-1, static, the live profile's SegmentTemplate addressing): one
 * video AdaptationSet with a Representation per rung of the ladder, segments numbered from 1. Segment URLs
 * are absolute paths, so they resolve against whichever appliance served the manifest, and they carry the
 * manifest's own `expires` and `sig`: the appliance checks every segment against the title's signed URL.
 */
export const DASH_CONTENT_TYPE = 'application/dash+xml';

export function renderManifest(media: TitleMedia, signedQuery: string): string {
  const base = `/titles/${encodeURIComponent(media.titleId)}/$RepresentationID$`;
  const query = xmlEscape(`?${signedQuery}`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static"',
    `     mediaPresentationDuration="${isoDuration(media.durationSeconds)}" minBufferTime="PT${SEGMENT_SECONDS}S">`,
    '  <Period id="1" start="PT0S">',
    '    <AdaptationSet id="1" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">',
    `      <SegmentTemplate timescale="1" duration="${SEGMENT_SECONDS}" startNumber="1"`,
    `                       initialization="${base}/init.mp4${query}" media="${base}/$Number$.m4s${query}"/>`,
    ...media.renditions.map(representation),
    '    </AdaptationSet>',
    '  </Period>',
    '</MPD>',
    '',
  ].join('\n');
}

function representation(rendition: Rendition): string {
  const attributes =
    `id="${xmlEscape(rendition.id)}" codecs="${codecsOf(rendition)}" bandwidth="${rendition.bitrateKbps * 1000}"` +
    ` width="${rendition.width}" height="${rendition.height}"`;
  // SMPTE ST 2084 (PQ) transfer: a player that cannot show HDR must skip the Representation (DASH-IF IOP).
  if (!rendition.hdr) return `      <Representation ${attributes}/>`;
  return [
    `      <Representation ${attributes}>`,
    '        <EssentialProperty schemeIdUri="urn:mpeg:mpegB:cicp:TransferCharacteristics" value="16"/>',
    '      </Representation>',
  ].join('\n');
}

/** RFC 6381 codec strings of the profiles such a rung is encoded with (10-bit ones for HDR). */
function codecsOf(rendition: Rendition): string {
  switch (rendition.codec) {
    case 'h264':
      return rendition.height > 1080 ? 'avc1.640033' : 'avc1.640028';
    case 'hevc':
      return rendition.hdr ? 'hvc1.2.4.L153.B0' : 'hvc1.1.6.L153.B0';
    case 'av1':
      return rendition.hdr ? 'av01.0.13M.10' : 'av01.0.13M.08';
    default:
      return xmlEscape(rendition.codec);
  }
}

/** xs:duration as DASH writes it, e.g. PT1H32M0S. */
function isoDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return `PT${hours > 0 ? `${hours}H` : ''}${minutes}M${seconds}S`;
}

function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
