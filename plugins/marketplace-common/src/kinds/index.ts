export * from './constants';
export * from './ModelServiceEntityV1alpha1';
export * from './ProviderEntityV1alpha1';
export {
  HH_MM_PATTERN,
  ISO_COUNTRY_PATTERN,
  SECRET_REF_PATTERN,
  URL_PATTERN,
} from './schemaParts';
