import { status } from '@grpc/grpc-js';
import { SERVICES } from '@streamplane/contracts';
import { testClient, type TestClient, startServiceProcess, type ServiceProcess } from '@streamplane/testkit';
import { validateWebVtt } from '../../src/domain';

interface Track {
  track_id: string;
  title_id: string;
  language: string;
  kind: string;
  label: string;
  format: string;
  content: string;
}

/** Real subtitles and catalog processes: subtitles learns titles from catalog through the resilient client. */
describe('subtitles over gRPC', () => {
  let catalog: ServiceProcess;
  let subtitles: ServiceProcess;
  let client: TestClient;

  beforeAll(async () => {
    catalog = await startServiceProcess('catalog', { STREAMPLANE_FAULTS: 'enabled' });
    subtitles = await startServiceProcess('subtitles', {
      CATALOG_ADDR: catalog.address,
      STREAMPLANE_FAULTS: 'enabled',
    });
    client = testClient(SERVICES.subtitles, subtitles.address);
  });

  afterAll(async () => {
    client?.close();
    await Promise.all([subtitles?.stop(), catalog?.stop()]);
  });

  it('lists a title’s tracks, English subtitles and captions included, without content', async () => {
    const { tracks } = await client.call<{ tracks: Track[] }>('ListTracks', { title_id: 'tt00001' });
    const english = tracks.filter((track) => track.language === 'en').map((track) => track.kind);
    expect(english).toEqual(expect.arrayContaining(['TRACK_KIND_SUBTITLES', 'TRACK_KIND_CLOSED_CAPTIONS']));
    expect(tracks.every((track) => track.content === '' && track.format === 'text/vtt')).toBe(true);
  });

  it('filters by language', async () => {
    const { tracks } = await client.call<{ tracks: Track[] }>('ListTracks', { title_id: 'tt00001', languages: ['EN'] });
    expect(tracks.length).toBeGreaterThan(0);
    expect(tracks.every((track) => track.language.toLowerCase().startsWith('en'))).toBe(true);
  });

  it('returns valid WebVTT whose cues fit inside the title’s runtime', async () => {
    const catalogClient = testClient(SERVICES.catalog, catalog.address);
    const title = await catalogClient
      .call<{ runtime_minutes: number }>('GetTitle', { title_id: 'tt00001' })
      .finally(() => catalogClient.close());
    const track = await client.call<Track>('GetTrack', { track_id: 'tt00001-en-cc' });
    expect(track).toMatchObject({ track_id: 'tt00001-en-cc', title_id: 'tt00001', kind: 'TRACK_KIND_CLOSED_CAPTIONS' });
    expect(track.content.startsWith('WEBVTT')).toBe(true);
    expect(validateWebVtt(track.content, { runtimeMs: title.runtime_minutes * 60_000 })).toEqual([]);
  });

  it.each([
    ['an empty title id', 'ListTracks', { title_id: '' }, status.INVALID_ARGUMENT, /^title_id: is required/],
    ['an unknown title', 'ListTracks', { title_id: 'tt99999' }, status.NOT_FOUND, /title "tt99999" not found/],
    [
      'a malformed language',
      'ListTracks',
      { title_id: 'tt00001', languages: ['en', 'not a tag!'] },
      status.INVALID_ARGUMENT,
      /^languages\[1\]: /,
    ],
    ['page_size 0', 'ListTracks', { title_id: 'tt00001', page_size: 0 }, status.INVALID_ARGUMENT, /^page_size: /],
    [
      'a malformed page token',
      'ListTracks',
      { title_id: 'tt00001', page_token: 'nope' },
      status.INVALID_ARGUMENT,
      /^page_token: /,
    ],
    ['an empty track id', 'GetTrack', { track_id: '' }, status.INVALID_ARGUMENT, /^track_id: is required/],
    ['a malformed track id', 'GetTrack', { track_id: 'garbage' }, status.INVALID_ARGUMENT, /^track_id: /],
    ['a track the title does not have', 'GetTrack', { track_id: 'tt00001-xx-sub' }, status.NOT_FOUND, /tt00001-xx-sub/],
  ])('%s gives the right code and names the field or id', async (_case, method, request, code, message) => {
    const error = await client.fail(method, request);
    expect(error.code).toBe(code);
    expect(error.details).toMatch(message);
  });

  it('answers UNAVAILABLE when catalog cannot be reached', async () => {
    const error = await client.fail(
      'ListTracks',
      { title_id: 'tt00012' },
      { metadata: { 'x-streamplane-fault': 'catalog=UNAVAILABLE' } },
    );
    expect(error.code).toBe(status.UNAVAILABLE);
  });
});
