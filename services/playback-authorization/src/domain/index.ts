export * from '@streamplane/streaming';
export * from './authorization';
export * from './renditions';
export * from './sessions';
