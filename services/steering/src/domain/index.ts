export * from './appliance';
export * from './title-set';
export * from './titles';
export * from './fleet-seed';
export * from './fleet';
export * from './region-rotation';
export * from './plan-fill';
export * from './steering';
