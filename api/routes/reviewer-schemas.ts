import { z } from 'zod';
import { correctableItems, registrationStatuses } from '../../domain/registration.ts';

export const registrationParams = z.object({ id: z.uuid() });
export const documentParams = registrationParams.extend({ documentId: z.uuid() });

export const listQuery = z.object({
  status: z.enum(registrationStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const rejectBody = z.object({ reason: z.string().trim().min(3, 'A reason of at least 3 characters is required').max(1000) });

export const correctionBody = z.object({
  items: z.array(z.enum(correctableItems)).min(1, 'Name at least one document or field to correct').max(correctableItems.length),
  message: z.string().trim().max(1000).default(''),
});
