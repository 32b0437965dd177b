export { AdminBudgetsPage } from './AdminBudgetsPage';
