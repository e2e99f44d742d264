/**
 * Debian's ffmpeg (with ffprobe beside it), which turns agents' recordings into voice notes WhatsApp
 * plays: `FFMPEG_PATH` if set, else `ffmpeg` on the PATH, else Debian's package installed (as root).
 * Without it the voice-note tests skip, saying why.
 */
import { ensureDebianProgram, type ProgramLookup } from './executables.ts';

export const ensureFfmpeg = (log: (line: string) => void): Promise<ProgramLookup> =>
  ensureDebianProgram({ variable: 'FFMPEG_PATH', program: 'ffmpeg', debianPackage: 'ffmpeg', versionArgs: ['-version'] }, log);
