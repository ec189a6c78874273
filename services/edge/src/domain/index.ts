export * from './byte-range';
export * from './edge-paths';
export * from './fill-pacer';
export * from './fill-window';
export * from './manifest';
export * from './segment-cache';
export * from './segment-content';
export * from './title-media';
