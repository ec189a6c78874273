// mpd-parser ships no types; these are the parts the tests read (see its README, "Parsed Output").
declare module 'mpd-parser' {
  export interface ParsedSegment {
    uri: string;
    resolvedUri: string;
    duration: number;
    number: number;
    map?: { uri: string; resolvedUri: string };
  }
  export interface ParsedPlaylist {
    attributes: {
      NAME: string;
      BANDWIDTH: number;
      CODECS?: string;
      RESOLUTION?: { width: number; height: number };
    };
    segments: ParsedSegment[];
  }
  export interface ParsedManifest {
    duration: number;
    playlists: ParsedPlaylist[];
  }
  export function parse(manifest: string, options?: { manifestUri?: string }): ParsedManifest;
}
