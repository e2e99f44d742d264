import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ErrorType } from '../../domain/errors.ts';
import { consoleTexts } from './texts.ts';
import { listAccounts, setAccountDisabled } from '../../platform/stores/console.ts';
import { getSessionHealth } from '../../platform/stores/whatsapp-session.ts';
import { sessionStateLabels } from '../../domain/texts/agents.ts';
import { listAudit } from '../../platform/stores/console-views.ts';
import { getRegistration } from '../../platform/stores/registrations.ts';
import type { AppDependencies } from '../app-dependencies.ts';
import { audit } from '../audit.ts';
import { createEraseDriver } from '../routes/driver-erasure.ts';
import { createExportDriver } from '../routes/driver-export.ts';
import { consolePrefix, type Console } from './plugin.ts';

const auditPage = 50;
const params = z.object({ id: z.uuid() });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined);
const auditQuery = z.object({
  actor: z.string().trim().max(64).optional().transform((text) => (text === '' ? undefined : text)),
  action: z.string().trim().max(40).optional().transform((text) => (text === '' ? undefined : text)),
  outcome: z.enum(['accepted', 'refused', 'failed', '']).optional().catch(undefined).transform((text) => (text === '' ? undefined : text)),
  registration: z.union([z.uuid(), z.literal('')]).optional().catch(undefined).transform((text) => (text === '' ? undefined : text)),
  since: day,
  until: day,
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
});

/** Operators only: the audit log with filters, the accounts, and a driver's export and erasure. */
export function operatorRoutes(app: FastifyInstance, deps: AppDependencies, view: Console): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const exportDriver = createExportDriver(deps);
  const eraseDriver = createEraseDriver(deps);
  const operators = { preHandler: view.operatorsOnly };

  routes.get('/audit', { ...operators, schema: { querystring: auditQuery } }, async (request, reply) => {
    const { page, since, until, registration, ...filters } = request.query;
    const dayStart = (text: string | undefined, plusDays = 0) => (text === undefined ? undefined : new Date(Date.parse(`${text}T00:00:00Z`) + plusDays * 86_400_000));
    const found = await listAudit(deps.db, {
      ...Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)),
      ...(registration === undefined ? {} : { registrationId: registration }),
      ...(since === undefined ? {} : { since: dayStart(since) }),
      ...(until === undefined ? {} : { until: dayStart(until, 1) }),
      limit: auditPage, offset: (page - 1) * auditPage,
    });
    await audit(deps.db, request, { action: 'view_audit', outcome: 'accepted', registrationId: registration ?? null, details: { ...request.query } });
    const link = (target: number) => `?${new URLSearchParams(Object.entries({ ...request.query, page: target }).filter(([, value]) => value !== undefined).map(([key, value]): [string, string] => [key, String(value)])).toString()}`;
    return view.render(reply, 'audit', {
      query: request.query, items: found.items, total: found.total,
      previous: page > 1 ? link(page - 1) : null, next: page * auditPage < found.total ? link(page + 1) : null,
    });
  });

  // The WhatsApp session as the health check last saw it, and the QR code to scan while one waits;
  // the page reloads itself, often while the session is down (WhatsApp renews a QR code within a minute).
  routes.get('/whatsapp', operators, async (_request, reply) => {
    const health = await getSessionHealth(deps.db);
    return view.render(reply, 'whatsapp', {
      health, label: health === null ? null : sessionStateLabels[health.state], qr: health?.state === 'QRCODE' && deps.whatsappQrCode !== undefined,
      refreshSeconds: health?.state === 'CONNECTED' ? 60 : 10,
    });
  });
  routes.get('/whatsapp/qr.png', operators, async (_request, reply) => {
    const png = await deps.whatsappQrCode?.().catch(() => null) ?? null;
    if (png === null) throw new AppError(ErrorType.NotFound, 'No QR code waits to be scanned');
    return reply.type('image/png').header('cache-control', 'no-store').send(png);
  });

  routes.get('/accounts', operators, async (_request, reply) => view.render(reply, 'accounts', { accounts: await listAccounts(deps.db) }));

  routes.post('/accounts/:name/:change', {
    ...operators, preValidation: view.csrf,
    schema: { params: z.object({ name: z.string().max(64), change: z.enum(['disable', 'enable']) }) },
  }, async (request, reply) => {
    const entry = { action: `${request.params.change}_account` as const, registrationId: null, details: { account: request.params.name } };
    // An operator does not lock themselves out from here (the command can).
    if (request.params.name === request.reviewer) {
      await audit(deps.db, request, { ...entry, outcome: 'refused', details: { ...entry.details, why: 'own account' } });
      throw new AppError(ErrorType.Forbidden, consoleTexts.operator.ownAccount);
    }
    if (!(await setAccountDisabled(deps.db, request.params.name, request.params.change === 'disable'))) throw new AppError(ErrorType.NotFound, 'No such account');
    await audit(deps.db, request, { ...entry, outcome: 'accepted' });
    return reply.redirect(`${consolePrefix}/accounts`, 303);
  });

  routes.post('/registrations/:id/export', { ...operators, preValidation: view.csrf, schema: { params } }, async (request, reply) => {
    const { zip, fileName } = await exportDriver(request, { registrationId: request.params.id });
    return reply.header('content-type', 'application/zip').header('cache-control', 'no-store').header('content-disposition', `attachment; filename="${fileName}"`).send(zip);
  });

  routes.get('/registrations/:id/erase', { ...operators, schema: { params } }, async (request, reply) => {
    const registration = await getRegistration(deps.db, deps.personal, request.params.id);
    if (registration === null || registration.status === 'erased') throw new AppError(ErrorType.NotFound, 'Registration not found');
    return view.render(reply, 'erase', { registration, error: null, result: null });
  });

  routes.post('/registrations/:id/erase', {
    ...operators, preValidation: view.csrf, schema: { params, body: z.object({ confirm: z.string().trim().max(20).default('') }) },
  }, async (request, reply) => {
    const registration = await getRegistration(deps.db, deps.personal, request.params.id);
    if (registration === null || registration.status === 'erased') throw new AppError(ErrorType.NotFound, 'Registration not found');
    if (request.body.confirm !== consoleTexts.operator.eraseConfirmWord) {
      return view.render(reply, 'erase', { registration, error: consoleTexts.operator.eraseWrongWord, result: null }, 400);
    }
    const result = await eraseDriver(request, { registrationId: registration.id });
    return view.render(reply, 'erase', { registration: null, error: null, result: consoleTexts.operator.erased(result.erased.length, result.temporal_histories_deleted) });
  });
}
