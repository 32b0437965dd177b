export * from './types';
export * from './reviews';
export * from './monitoring';
export * from './admin';
export * from './analytics';
export * from './credentials';
export * from './providers';
export * from './budgets';
