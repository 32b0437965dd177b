export * from './types';
export * from './reviews';
