/**
 * Debian's `docker-compose` for the test that validates docker-compose.yml (`docker-compose config`
 * reads and checks the file without a Docker engine): `DOCKER_COMPOSE_PATH` if set, else
 * `docker-compose` on the PATH, else Debian's package installed (as root). Without it that test
 * skips, saying why.
 */
import { ensureDebianProgram, type ProgramLookup } from './executables.ts';

export const ensureDockerCompose = (log: (line: string) => void): Promise<ProgramLookup> =>
  ensureDebianProgram({ variable: 'DOCKER_COMPOSE_PATH', program: 'docker-compose', debianPackage: 'docker-compose', versionArgs: ['version', '--short'] }, log);
