import { correctionCodeMatches } from '../../platform/correction-codes.ts';
import type { Db } from '../../platform/db.ts';
import type { PersonalData } from '../../platform/crypto/personal-data.ts';
import type { RegistrationRow } from '../../platform/stores/registration-rows.ts';
import { botSessionOf } from '../../platform/stores/bot.ts';
import { correctableByPhone, liveRegistrationByNif } from '../../platform/stores/registrations.ts';

/** Who sent a submission, as far as the registration it names is concerned. */
export interface Submitter {
  /** The bot session's link token the flow posted back (`sessao_conversa`), '' when none. */
  linkToken: string;
  /** The WhatsApp chat of that session, null for none or an unknown token. */
  chatId: string | null;
  /** The correction code typed in the form (`codigo_correcao`), null when none. */
  correctionCode: string | null;
}

/**
 * - `owner`: from the registration's own chat (its bot session);
 * - `code`: with the registration's current correction code (only while a correction is requested);
 * - `wrong_code`: with a code that is not that (wrong, used, expired, or nothing to correct);
 * - `stranger`: anyone else, who learns nothing about the registration.
 */
export type Standing = 'owner' | 'code' | 'wrong_code' | 'stranger';

export function standingOf(registration: RegistrationRow, submitter: Submitter, now = new Date()): Standing {
  if (submitter.chatId !== null && registration.chat?.whatsappChatId === submitter.chatId) return 'owner';
  if (submitter.correctionCode === null) return 'stranger';
  const { status, correctionCodeSha256: hash, correctionCodeExpiresAt: expiresAt } = registration;
  const valid = status === 'correction_requested' && hash !== null && expiresAt !== null && expiresAt > now;
  // Compared even when not valid, so the answer takes as long either way.
  const matches = correctionCodeMatches(submitter.correctionCode, hash ?? '0'.repeat(64));
  return valid && matches ? 'code' : 'wrong_code';
}

export async function submitterOf(db: Db, personal: PersonalData, flat: Record<string, unknown>): Promise<Submitter> {
  const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const linkToken = text(flat.sessao_conversa);
  const code = text(flat.codigo_correcao);
  return {
    linkToken,
    chatId: linkToken === '' ? null : ((await botSessionOf(db, personal, linkToken))?.chatId ?? null),
    correctionCode: code === '' ? null : code,
  };
}

/**
 * The registration a submission is about: the live one holding its NIF; else, for a driver asked to
 * correct their NIF, the one awaiting that correction under their phone, but only when the
 * submitter may correct it (otherwise a stranger's form would reveal it and it stays untouched).
 */
export async function targetOf(db: Db, personal: PersonalData, nif: string, phone: string, submitter: Submitter): Promise<{ registration: RegistrationRow; via: 'nif' | 'phone'; standing: Standing } | null> {
  const byNif = await liveRegistrationByNif(db, personal, nif);
  if (byNif !== null) return { registration: byNif, via: 'nif', standing: standingOf(byNif, submitter) };
  const byPhone = await correctableByPhone(db, personal, phone);
  if (byPhone === null) return null;
  const standing = standingOf(byPhone, submitter);
  return standing === 'owner' || standing === 'code' ? { registration: byPhone, via: 'phone', standing } : null;
}
