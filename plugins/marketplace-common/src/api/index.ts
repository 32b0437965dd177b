export * from './types';
export * from './reviews';
export * from './analytics';
