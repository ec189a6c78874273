export * from './addresses';
export * from './chaos-events';
export * from './histogram';
export * from './platform-metrics';
export * from './platform-view';
export * from './prometheus-text';
export * from './scrape-window';
export * from './traces';
