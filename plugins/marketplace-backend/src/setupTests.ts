import { RESPONSE_PROBLEMS } from './schema/openapi';

/*
 * Every answer of the REST API in the tests is checked against the OpenAPI
 * document (src/schema/openapi.yaml): a test whose requests got an answer the
 * document does not describe (a field missing or extra, a wrong type, an
 * undocumented status) fails, naming the route and the difference.
 */
const problems: string[] = [];
(globalThis as Record<symbol, unknown>)[RESPONSE_PROBLEMS] = (
  problem: string,
) => problems.push(problem);

afterEach(() => {
  const found = problems.splice(0);
  if (found.length > 0) {
    throw new Error(
      `Answers the OpenAPI document does not describe:\n${found.join('\n')}`,
    );
  }
});
