export { RoutesPanel } from './RoutesPanel';
export { RouteStartUsingDialog } from './RouteStartUsingDialog';
