/**
 * `marketplace-validate`: checks ModelService and Provider catalog YAML the way
 * the portal does, for editors' hooks and CI.
 *
 * @packageDocumentation
 */
import { run } from './cli';

run(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  env: process.env,
  // `yarn marketplace-validate` runs in the repository root: files are relative
  // to where it was typed.
  cwd: process.env.INIT_CWD ?? process.cwd(),
}).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(
      `marketplace-validate failed: ${error?.stack ?? error}\n`,
    );
    process.exitCode = 2;
  },
);
