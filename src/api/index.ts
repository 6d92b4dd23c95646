/** What other modules use of the API beyond its services: the key format and the problem details. */
export { keyIdOf, keyMatches, keyPrefix, newKeySecret } from './api-key-secret';
export { ApiProblem, type FieldProblem } from './problem';
export { Problem } from './schemas';
