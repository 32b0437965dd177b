export * from './constants';
export * from './ModelServiceEntityV1alpha1';
export * from './ProviderEntityV1alpha1';
