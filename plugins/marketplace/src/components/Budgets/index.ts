export { BudgetsSection, BudgetSummary, budgetTitle } from './BudgetsSection';
export { BudgetDialog } from './BudgetDialog';
export { BudgetLeftField } from './BudgetLeftField';
export { SubscriptionAllowance } from './SubscriptionAllowance';
