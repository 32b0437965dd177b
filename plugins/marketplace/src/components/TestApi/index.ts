export { TestApiPanel } from './TestApiPanel';
export { TestApiEntityContent } from './TestApiEntityContent';
