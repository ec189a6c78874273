export * from './profile';
// The tag grammar is the platform's, shared with subtitles.
export { canonicalLanguageTagCase, isWellFormedLanguageTag, MAX_LANGUAGE_TAG_LENGTH } from '@streamplane/streaming';
export * from './store';
export * from './profiles';
export * from './seed';
