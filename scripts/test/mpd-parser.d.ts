/** The slice of mpd-parser (video.js's DASH parser, no types of its own) the player's tests hold the MPD reader to. */
declare module 'mpd-parser' {
  interface ParsedSegment {
    uri: string;
    resolvedUri: string;
    duration: number;
    number: number;
    map?: { uri: string; resolvedUri: string };
  }
  interface ParsedPlaylist {
    attributes: { NAME: string; BANDWIDTH: number; RESOLUTION?: { width: number; height: number }; CODECS?: string };
    segments: ParsedSegment[];
  }
  export function parse(
    manifest: string,
    options?: { manifestUri?: string },
  ): { duration: number; playlists: ParsedPlaylist[] };
}
