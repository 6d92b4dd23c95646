import 'reflect-metadata';
import { runCli } from './program';

/** Operator command line: `npm run cli -- <command> --help`. */
runCli(process.argv.slice(2)).then((code) => process.exit(code));
