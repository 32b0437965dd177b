export * from './availability';
export * from './browse';
