import { z } from 'zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { validateAnswer } from '../../domain/registration-submission.ts';
import type { DriverLookup } from '../../platform/stores/driver-data.ts';

/** How an operator names a driver for an export or an erasure: exactly one of a registration's id, a NIF, a phone. */
export const driverLookupBody = z.object({
  registration_id: z.uuid().optional(),
  nif: z.string().max(32).optional(),
  phone: z.string().max(32).optional(),
}).refine((body) => [body.registration_id, body.nif, body.phone].filter((given) => given !== undefined).length === 1, {
  message: 'Give exactly one of registration_id, nif or phone',
});

/** The lookup, the NIF and phone normalised as the intake stores them (any form the intake takes). */
export function lookupOf(body: z.infer<typeof driverLookupBody>): DriverLookup {
  if (body.registration_id !== undefined) return { registrationId: body.registration_id };
  const [field, raw, answer] = body.nif !== undefined ? ['nif', body.nif, 'nif'] as const : ['phone', body.phone, 'telefone'] as const;
  const normalised = validateAnswer(answer, raw);
  if (!normalised.ok) throw new AppError(ErrorType.MalformedPayload, `${field} is not a valid ${field === 'nif' ? 'NIF' : 'Portuguese phone number'}`);
  return field === 'nif' ? { nif: normalised.value } : { phone: normalised.value };
}
