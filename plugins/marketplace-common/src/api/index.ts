/*
 * The REST API's types, by area. Each is an alias of the type generated from
 * the OpenAPI document (`../schema/openapi.generated.ts`), under the name the
 * backend and the frontend import. Where the document is looser than the code
 * (it describes the catalog entities only in part), the alias takes the
 * document's type with the entity replaced by the kind's interface.
 */
export * from './types';
export * from './reviews';
export * from './monitoring';
export * from './admin';
export * from './analytics';
export * from './credentials';
export * from './providers';
export * from './budgets';
