import type { FastifyPluginAsync } from 'fastify';
import type { AppDependencies } from '../app-dependencies.ts';
import type { EdgeLimits } from '../edge/limits.ts';
import { oidcRoutes } from './oidc.ts';
import { operatorRoutes } from './operators.ts';
import { registerConsoleBase } from './plugin.ts';
import { queueRoutes } from './queue.ts';
import { registrationRoutes } from './registration.ts';
import { signInRoutes } from './sign-in.ts';

/** The reviewer console, registered under `/console` (plugin.ts says how it is built). */
export const consoleRoutes = (deps: AppDependencies, limits: EdgeLimits): FastifyPluginAsync => async (app) => {
  const view = await registerConsoleBase(app, deps, limits);
  signInRoutes(app, deps, limits, view);
  oidcRoutes(app, deps, view);
  queueRoutes(app, deps, view);
  registrationRoutes(app, deps, view);
  operatorRoutes(app, deps, view);
};
