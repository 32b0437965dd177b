export {
  StartUsingAction,
  StartUsingButton,
  type StartUsingButtonProps,
} from './StartUsingButton';
export {
  StartUsingDialog,
  type StartUsingDialogProps,
} from './StartUsingDialog';
export { ServiceSubscriptionPanel } from './ServiceSubscriptionPanel';
