import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { registrationStatuses, type RegistrationStatus } from '../../domain/registration.ts';
import { validateAnswer } from '../../domain/registration-submission.ts';
import { consoleStatusLabels } from '../../domain/texts/console.ts';
import { countByStatus, foldName, nameScanLimit, searchQueue, type QueueSearch } from '../../platform/stores/console-views.ts';
import type { RegistrationRow } from '../../platform/stores/registration-rows.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import type { Console } from './plugin.ts';

const pageSize = 25;
const hourMs = 3_600_000;

const queueQuery = z.object({
  status: z.enum(registrationStatuses).optional().catch(undefined),
  order: z.enum(['newest', 'oldest']).default('newest').catch('newest'),
  q: z.string().trim().max(100).default(''),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});

/** What the search box holds: a registration's id, a NIF or phone (any form the intake takes), else words of a name. */
export function searchOf(text: string): QueueSearch | undefined {
  if (text === '') return undefined;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return { by: 'id', id: text.toLowerCase() };
  if (/^[+\d][\d\s-]{6,}$/.test(text)) {
    const nif = validateAnswer('nif', text);
    const phone = validateAnswer('telefone', text);
    if (nif.ok || phone.ok) return { by: 'number', nif: nif.ok ? nif.value : null, phone: phone.ok ? phone.value : null };
  }
  return { by: 'name', words: foldName(text).split(/\s+/).filter((word) => word !== '') };
}

/** A registration awaiting a reviewer waits since it was submitted or corrected (its last change); the others no longer wait. */
/** Received or pending approval: a reviewer's decision is what it waits for. */
export const isAwaiting = (registration: Pick<RegistrationRow, 'status'>) => registration.status === 'pending_approval' || registration.status === 'received';

export function waitingOf(row: Pick<RegistrationRow, 'status' | 'updatedAt'>, now = Date.now()): { hours: number; level: 'ok' | 'amber' | 'red' } | null {
  if (!isAwaiting(row)) return null;
  const hours = Math.floor((now - row.updatedAt.getTime()) / hourMs);
  return { hours, level: hours >= 48 ? 'red' : hours >= 24 ? 'amber' : 'ok' };
}

/** The queue: counts per status, a page of registrations (search, order), each with how long it has waited. */
export function queueRoutes(app: FastifyInstance, deps: AppDependencies, view: Console): void {
  app.withTypeProvider<ZodTypeProvider>().get('/', { schema: { querystring: queueQuery } }, async (request, reply) => {
    const { status, order, q, page } = request.query;
    const search = searchOf(q);
    const [counts, found] = await Promise.all([
      countByStatus(deps.db),
      searchQueue(deps.db, deps.personal, { ...(status === undefined ? {} : { status }), ...(search === undefined ? {} : { search }), oldestFirst: order === 'oldest', limit: pageSize, offset: (page - 1) * pageSize }),
    ]);
    // What was searched for is not written: it may be a NIF or a name; how it was searched is.
    await audit(deps.db, request, { action: 'list_registrations', outcome: 'accepted', registrationId: null, details: { status: status ?? null, order, page, search: search?.by ?? null, console: true } });
    const link = (change: Record<string, string | number | undefined>) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries({ status, order, q: q === '' ? undefined : q, page, ...change })) if (value !== undefined) params.set(key, String(value));
      return `?${params.toString()}`;
    };
    const tabs = [{ status: undefined as RegistrationStatus | undefined, count: [...counts.values()].reduce((sum, value) => sum + value, 0) },
      ...registrationStatuses.map((value) => ({ status: value, count: counts.get(value) ?? 0 }))];
    return view.render(reply, 'queue', {
      query: { status, order, q },
      tabs: tabs.map((tab) => ({ ...tab, label: tab.status === undefined ? null : consoleStatusLabels[tab.status], href: link({ status: tab.status, page: undefined }), current: tab.status === status })),
      items: found.items.map((row) => ({ row, waiting: waitingOf(row) })),
      total: found.total,
      from: found.total === 0 ? 0 : (page - 1) * pageSize + 1,
      to: Math.min(found.total, page * pageSize),
      previous: page > 1 ? link({ page: page - 1 }) : null,
      next: page * pageSize < found.total ? link({ page: page + 1 }) : null,
      capped: found.scanned === true ? nameScanLimit : null,
    });
  });
}
