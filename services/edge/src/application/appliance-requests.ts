import type { Clock } from '@streamplane/platform/clock';
import { DomainError } from '@streamplane/platform/errors';
import { applianceOfHost, ORIGIN_APPLIANCE_ID, verifyCdnUrl } from '@streamplane/streaming';
import {
  DASH_CONTENT_TYPE,
  findRendition,
  parseEdgePath,
  renderManifest,
  resolveRange,
  segmentBytes,
  segmentContent,
  segmentCount,
  signedTitleUrl,
  type EdgeResource,
  type SegmentRef,
} from '../domain';
import type { EdgeMetrics, TitleMediaSource } from './ports';
import type { SegmentStore } from './segment-store';

export interface ApplianceRequest {
  readonly method: string;
  /** The Host header, or HTTP/2's :authority. */
  readonly host: string | undefined;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly range: string | undefined;
}

export interface ApplianceAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Absent for HEAD and for 304-like answers without content. */
  readonly body?: Buffer | string;
  /** For the request's span and log line: a hit or a miss of the segment cache. */
  readonly cache?: 'hit' | 'miss';
}

export interface ApplianceOptions {
  readonly cdnSecret: string;
  /** Whether this process answers for an appliance id (the origin's included). */
  readonly hosts: (applianceId: string) => boolean;
  readonly segmentMaxAgeSeconds: number;
}

/** HTTP statuses of the domain's refusals. */
const STATUS_OF: Partial<Record<DomainError['kind'], number>> = {
  'not-found': 404,
  'invalid-argument': 400,
  unavailable: 503,
  'resource-exhausted': 503,
  'deadline-exceeded': 504,
};

/**
 * What the appliance answers for a title resource: every request is checked against the title's signed
 * URL (the strict verifier, over the URL rebuilt from the Host and the request), then the manifest is
 * rendered from catalog's ladder or the segment is served from the cache, filled from the origin on a
 * miss. Refusals are answers with a one-line reason, never exceptions.
 */
export class ApplianceRequests {
  constructor(
    private readonly titles: TitleMediaSource,
    private readonly store: SegmentStore,
    private readonly metrics: EdgeMetrics,
    private readonly clock: Clock,
    private readonly options: ApplianceOptions,
  ) {}

  async answer(request: ApplianceRequest): Promise<ApplianceAnswer> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return refusal(405, `${request.method} is not allowed: the appliance serves GET and HEAD`, {
        allow: 'GET, HEAD',
      });
    }
    const resource = parseEdgePath(request.path);
    if ('notFound' in resource) return refusal(404, resource.notFound);
    const refused = this.checkSignedUrl(request, resource);
    if (refused) return refused;
    try {
      return resource.kind === 'manifest'
        ? await this.manifest(request, resource.titleId)
        : await this.segment(request, resource);
    } catch (error) {
      const status = error instanceof DomainError ? STATUS_OF[error.kind] : undefined;
      if (status === undefined) throw error;
      return refusal(status, (error as Error).message, status === 503 ? { 'retry-after': '1' } : {});
    }
  }

  private checkSignedUrl(request: ApplianceRequest, resource: EdgeResource): ApplianceAnswer | undefined {
    if (!request.host) return refusal(400, 'a Host header is required: <appliance_id>.oca.streamplane.example');
    const applianceId = applianceOfHost(request.host);
    if (!applianceId) return refusal(403, `host ${request.host} names no appliance of oca.streamplane.example`);
    if (!this.options.hosts(applianceId)) return refusal(403, `appliance ${applianceId} is not hosted here`);
    const expires = request.query.get('expires');
    const sig = request.query.get('sig');
    if (expires === null || sig === null) return refusal(403, 'the URL carries no expires and sig: use a signed URL');
    const url = signedTitleUrl(applianceId, resource.titleSegment, expires, sig);
    if (verifyCdnUrl(url, this.options.cdnSecret, this.clock.now())) return undefined;
    // Signed right but past its time: worth telling apart, the player should ask for a fresh grant.
    if (verifyCdnUrl(url, this.options.cdnSecret, new Date(0))) {
      return refusal(403, `the signed URL expired at ${new Date(Number(expires) * 1000).toISOString()}`);
    }
    const origin = applianceId === ORIGIN_APPLIANCE_ID ? ' (the origin)' : '';
    return refusal(403, `the signature does not match this title on ${applianceId}${origin}`);
  }

  private async manifest(request: ApplianceRequest, titleId: string): Promise<ApplianceAnswer> {
    const media = await this.titles.media(titleId);
    const query = new URLSearchParams({ expires: request.query.get('expires')!, sig: request.query.get('sig')! });
    const body = renderManifest(media, query.toString());
    if (request.method === 'GET') this.metrics.served(Buffer.byteLength(body), 'manifest');
    return {
      status: 200,
      headers: {
        'content-type': DASH_CONTENT_TYPE,
        'content-length': String(Buffer.byteLength(body)),
        // Its segment URLs expire with the signature: shared caches must not keep it.
        'cache-control': 'private, no-cache',
      },
      body: request.method === 'GET' ? body : undefined,
    };
  }

  private async segment(
    request: ApplianceRequest,
    resource: Extract<EdgeResource, { kind: 'segment' }>,
  ): Promise<ApplianceAnswer> {
    const media = await this.titles.media(resource.titleId);
    const rendition = findRendition(media, resource.renditionId);
    if (!rendition) return refusal(404, `title ${media.titleId} has no rendition ${resource.renditionId}`);
    const count = segmentCount(media);
    if (resource.segment !== 'init' && resource.segment > count) {
      return refusal(404, `segment ${resource.segment} is past the end: ${media.titleId} has ${count} segments`);
    }
    const ref: SegmentRef = { titleId: media.titleId, renditionId: rendition.id, segment: resource.segment };
    const size = segmentBytes(media, rendition, resource.segment);
    const range = resolveRange(request.range, size);
    const headers: Record<string, string> = {
      'content-type': resource.segment === 'init' ? 'video/mp4' : 'video/iso.segment',
      'accept-ranges': 'bytes',
      'cache-control': `public, max-age=${this.options.segmentMaxAgeSeconds}, immutable`,
    };
    if (range.kind === 'unsatisfiable') {
      return refusal(416, `the range selects none of the ${size} bytes`, { 'content-range': `bytes */${size}` });
    }
    if (request.method === 'HEAD') {
      return { status: 200, headers: { ...headers, 'content-length': String(size) } };
    }
    const cache = await this.store.serve(ref, size);
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
    const body = segmentContent(ref, start, end);
    this.metrics.served(body.length, 'segment');
    const partial = range.kind === 'partial';
    return {
      status: partial ? 206 : 200,
      headers: {
        ...headers,
        'content-length': String(body.length),
        ...(partial ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
        'x-cache': cache.toUpperCase(),
      },
      body,
      cache,
    };
  }
}

export function refusal(status: number, reason: string, headers: Record<string, string> = {}): ApplianceAnswer {
  const body = `${reason}\n`;
  return {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    },
    body,
  };
}
