/**
 * Debian's HAProxy for the scale test's load balancer in front of two APIs: `HAPROXY_PATH` if set,
 * else `haproxy` on the PATH, else Debian's package installed (as root). Without it the scale test
 * skips, saying why.
 */
import { ensureDebianProgram, type ProgramLookup } from './executables.ts';

export const ensureHaproxy = (log: (line: string) => void): Promise<ProgramLookup> =>
  ensureDebianProgram({ variable: 'HAPROXY_PATH', program: 'haproxy', debianPackage: 'haproxy', versionArgs: ['-v'] }, log);
