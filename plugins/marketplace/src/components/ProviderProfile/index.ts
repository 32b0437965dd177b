export {
  ProviderProfilePage,
  ProviderProfileView,
} from './ProviderProfilePage';
