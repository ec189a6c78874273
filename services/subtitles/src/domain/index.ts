export * from './track';
export * from './languages';
export * from './webvtt';
export * from './content';
export * from './subtitles';
