/** What other modules use of the API beyond its services: the key format, the problem details, the request checks and the OpenAPI parts. */
export { authorizationOf, bearerKey, keyIdOf, keyPrefix, keyRefusal, newKeySecret } from './api-key-secret';
export { keyBeforeBody } from './api-key.guard';
export { API_REFERENCES, ApiProblem, type FieldProblem } from './problem';
export { GENERIC_PROBLEMS } from './api-problem.filter';
export { Problem } from './schemas';
export { coerceQuery, fieldProblems } from './request-check';
export { refuseBodyNotJson } from './route';
export { openApiParameters, plainSchema, problemResponse, problemTypesText } from './openapi-schema';
