export * from './constants';
export * from './ModelServiceEntityV1alpha1';
export * from './modelServiceSchema';
export { modelServiceEntityProblems } from './modelServiceChecks';
export * from './ProviderEntityV1alpha1';
export * from './jsonSchemas';
export {
  EntityValidationError,
  formatEntityProblems,
  problemsOf,
} from './validation';
export type { EntityProblem } from './validation';
export {
  HH_MM_PATTERN,
  ISO_COUNTRY_PATTERN,
  SECRET_REF_PATTERN,
  URL_PATTERN,
} from './schemaParts';
