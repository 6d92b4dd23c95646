/** What other modules use of the API beyond its services: the key format, the problem details, the request checks and the OpenAPI parts. */
export { bearerKey, keyIdOf, keyPrefix, keyRefusal, newKeySecret } from './api-key-secret';
export { ApiProblem, type FieldProblem } from './problem';
export { Problem } from './schemas';
export { coerceQuery, fieldProblems } from './request-check';
export { openApiParameters, plainSchema, problemResponse } from './openapi-schema';
