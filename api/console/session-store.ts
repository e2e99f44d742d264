import type { FastifySessionObject, SessionStore } from '@fastify/session';
import type { Db } from '../../platform/db.ts';
import { deleteSession, getSession, putSession } from '../../platform/stores/console.ts';

/**
 * @fastify/session's store on PostgreSQL (console_sessions), so every API instance knows every
 * session. Each save moves the expiry `idleMs` ahead: a session unused that long is gone, whatever
 * the browser's cookie says.
 */
export function postgresSessionStore(db: Db, idleMs: number): SessionStore {
  return {
    set(sessionId, session, callback) {
      putSession(db, sessionId, JSON.parse(JSON.stringify(session)) as Record<string, unknown>, new Date(Date.now() + idleMs)).then(() => callback(), callback);
    },
    get(sessionId, callback) {
      getSession(db, sessionId).then((data) => callback(null, (data ?? null) as FastifySessionObject | null), callback);
    },
    destroy(sessionId, callback) {
      deleteSession(db, sessionId).then(() => callback(), callback);
    },
  };
}
