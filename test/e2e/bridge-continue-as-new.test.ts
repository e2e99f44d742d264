import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatWorkflowId } from '../../domain/chat.ts';
import { chatAtRest, chatwootView, newDriverPhone, waitForIncoming, webhooksAnswered } from '../support/bridge-views.ts';
import { describeChat, eventually, useTestSystem } from '../support/test-system.ts';

// scripts/test.ts starts its Temporal server with a low `limit.historyCount.suggestContinueAsNew`
// and says so here; on a server given by TEMPORAL_ADDRESS the threshold is unknown.
const suggestAt = Number(process.env.TEST_SUGGEST_CONTINUE_AS_NEW_AT ?? Number.NaN);

describe('WhatsApp ↔ Chatwoot bridge: a long chat continues as new', { skip: Number.isNaN(suggestAt) && 'needs the test runner\'s own Temporal server' }, () => {
  const system = useTestSystem({}, { bridge: true });

  async function runsOf(workflowId: string) {
    const sut = system();
    const runs: Array<{ runId: string; status: string }> = [];
    for await (const execution of sut.system.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      runs.push({ runId: execution.runId, status: execution.status.name });
    }
    return runs;
  }

  it('crosses runs without losing, doubling or reordering a message either way, on the same Chatwoot conversation', async () => {
    const sut = system();
    const phone = newDriverPhone();
    const view = chatwootView(sut);
    // One at a time, so every message costs its own workflow task and relay: 5 history events
    // (signal, workflow task scheduled, started, completed, local-activity marker), and more for
    // replies and their receipts; 1.25 times the threshold over the whole chat.
    const messages = Array.from({ length: Math.ceil(suggestAt / 4) }, (_, index) => `Mensagem ${index + 1}`);
    const replies: string[] = [];
    for (const [index, text] of messages.entries()) {
      await sut.wpp.receive({ from: phone, body: text, pushname: 'Rui' });
      // Seen once in a full run: one message over 15 s late with no failure logged. The chat's state says where it was.
      await waitForIncoming(sut, phone, text).catch(async (error: unknown) => {
        console.log('Chat diagnostics:', await describeChat(sut, `${phone}@c.us`));
        throw error;
      });
      if (index % 10 === 9) {
        const reply = `Resposta ${replies.length + 1}`;
        replies.push(reply);
        await sut.chatwoot!.agentReply(view.conversationIdOf(phone), { content: reply });
      }
    }
    await eventually(async () => (sut.wpp.sent.filter((sent) => sent.phone === phone).length >= replies.length ? true : undefined), 15_000, 'every reply on WhatsApp');

    const runs = await eventually(async () => {
      const found = await runsOf(chatWorkflowId(sut.system.personal, `${phone}@c.us`));
      return found.some((run) => run.status === 'CONTINUED_AS_NEW') ? found : undefined;
    }, 15_000, 'a run that continued as new');
    assert.ok(runs.length >= 2, `runs: ${JSON.stringify(runs)}`);

    await webhooksAnswered(sut);
    await chatAtRest(sut, phone);
    assert.deepEqual(view.incomingTexts(phone), messages);
    assert.deepEqual(sut.wpp.sent.filter((sent) => sent.phone === phone).map((sent) => sent.body), replies);
    assert.equal(view.contactsOf(phone).length, 1);
    assert.equal(view.conversationsOf(phone).length, 1);
  });
});
