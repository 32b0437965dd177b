export * from './types';
export * from './monitoring';
