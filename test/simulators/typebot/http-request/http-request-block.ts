/**
 * Runs an HTTP Request block server-side, inside the startChat/continueChat call that
 * reaches it (CONTRACTS.md §3.4): build the request, send it, record the call, then
 * save `responseVariableMapping` values. An error answer does not stop the flow.
 */
import type { FlowBlock } from '../flow-types.ts';
import type { ChatLog, Session, SimulatorState } from '../state.ts';
import { parseVariables, setVariable } from '../variables.ts';
import { executeHttpRequest, type HttpResponse } from './execute-request.ts';
import { parseHttpRequest } from './parse-request.ts';
import { evaluateBodyPath } from './response-mapping.ts';

const defaultTimeoutSeconds = 10;
const maxTimeoutSeconds = 120;
const longRequestHosts = ['https://api.openai.com', 'https://retune.so', 'https://www.chatbase.co', 'https://channel-connector.orimon.ai', 'https://api.anthropic.com'];

/** Only with CHAT_API_TIMEOUT set: the block's timeout if not the default, else 10 s (120 s for a few AI hosts). */
function timeoutMs(state: SimulatorState, url: string, blockTimeout: number | undefined): number | undefined {
  if (!state.config.httpRequestTimeouts) return undefined;
  if (blockTimeout !== undefined && blockTimeout !== 0 && blockTimeout !== defaultTimeoutSeconds) return Math.min(blockTimeout, maxTimeoutSeconds) * 1000;
  return longRequestHosts.some((host) => url.includes(host)) ? maxTimeoutSeconds * 1000 : defaultTimeoutSeconds * 1000;
}

function saveResponseMapping(block: FlowBlock, session: Session, response: HttpResponse): void {
  for (const mapping of block.options?.responseVariableMapping ?? []) {
    if (mapping.bodyPath === undefined || mapping.bodyPath === '' || mapping.variableId === undefined) continue;
    if (!session.variables.some((variable) => variable.id === mapping.variableId)) continue;
    try {
      const value = evaluateBodyPath(parseVariables(mapping.bodyPath, session.variables), response);
      setVariable(session.variables, mapping.variableId, value);
    } catch {
      // As in Typebot: an expression that throws leaves the variable as it was.
    }
  }
}

export async function runHttpRequestBlock(block: FlowBlock, session: Session, state: SimulatorState): Promise<ChatLog[]> {
  if (block.options?.webhook === undefined) return [];
  const request = parseHttpRequest(block.options, { variables: session.variables, answers: session.answers, now: state.config.now() });
  if (request === undefined) return [{ status: 'error', description: "Couldn't parse webhook attributes" }];
  const { response, logs } = await executeHttpRequest(request, {
    policy: { allowedHosts: state.config.ssrfAllowedHosts, developmentMode: state.config.developmentMode },
    timeoutMs: timeoutMs(state, request.url, block.options.timeout),
  });
  state.webhookCalls.push({
    blockId: block.id,
    sessionId: session.id,
    method: request.method,
    url: request.url,
    statusCode: response.statusCode,
    ...(request.body === undefined ? {} : { requestBody: 'text' in request.body ? request.body.text : JSON.stringify(request.body.json) }),
    responseData: response.data,
    at: state.config.now(),
  });
  saveResponseMapping(block, session, response);
  return logs;
}
