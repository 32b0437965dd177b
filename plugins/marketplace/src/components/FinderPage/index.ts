export { FinderPage } from './FinderPage';
