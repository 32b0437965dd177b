export * from './finder';
