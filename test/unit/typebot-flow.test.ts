/**
 * The driver registration flow operators import into Typebot (docs/typebot-flows/cadastro-motorista.json):
 * valid against the import schema in Typebot's own OpenAPI file, wired together, configured as the
 * registration API expects, and in European Portuguese. Conversations played through it, on the Typebot
 * simulator, are in test/integration/typebot-flow-conversations.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import {
  compileTypebotSchemas, describeErrors, integrityProblems, plainText, reachability, stringsIn,
  type TypebotBlock, type TypebotFlow, type TypebotSchemas,
} from '../support/typebot-flow.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const specPath = resolve(repoRoot, '../shared/contracts/typebot/builder.json');
const skipSchema = existsSync(specPath) ? false : `schema checks skipped: ${specPath} not found`;
const exported: unknown = JSON.parse(readFileSync(resolve(repoRoot, 'docs/typebot-flows/cadastro-motorista.json'), 'utf8'));
const flow = exported as TypebotFlow;

const blocks = flow.groups.flatMap((group) => group.blocks);
const variableOf = (block: TypebotBlock) => flow.variables.find((v) => v.id === block.options?.variableId)?.name;
function inputFor(name: string, type?: string): TypebotBlock {
  const found = blocks.find((b) => variableOf(b) === name && (type === undefined || b.type === type));
  assert.ok(found, `no ${type ?? 'block'} saving into ${name}`);
  return found;
}
const conditionOn = (name: string) => blocks.find((b) => b.type === 'Condition' && b.items?.some((i) => typeof i.content === 'object' && i.content.comparisons?.some((c) => flow.variables.find((v) => v.id === c.variableId)?.name === name)));
const httpBlock = () => { const found = blocks.find((b) => b.type === 'Webhook' && b.options?.webhook?.url === '{{UrlRegisto}}'); assert.ok(found, 'no HTTP Request block posting the registration'); return found; };

const registrationUrl = 'http://localhost:8000/drivers/register-typebot/';
const answerCheckUrl = 'http://localhost:8000/drivers/validate-typebot/';
const correctionUrl = 'http://localhost:8000/drivers/correction-typebot/';
const edgeTo = (edgeId: string | undefined) => flow.edges.find((e) => e.id === edgeId)?.to;
const roadmap = ['nome_completo', 'nif', 'telefone', 'email', 'morada', 'codigo_postal', 'cidade', 'cnh_frente', 'cnh_verso', 'comprovante_morada'];

void describe('Typebot flow "Cadastro de motorista"', () => {
  void describe('against the import schema of Typebot\'s Builder API (builder.json)', { skip: skipSchema }, () => {
    let schemas: TypebotSchemas;
    before(() => { schemas = compileTypebotSchemas(specPath); });

    void it('is a valid POST /v1/typebots/import "typebot" body, version 6.1', () => {
      assert.equal(flow.version, '6.1');
      assert.ok(schemas.typebot(exported), describeErrors(schemas.typebot.errors));
    });

    void it('uses no field the schema does not declare, since Typebot drops unknown fields on import', () => {
      assert.ok(schemas.closedSkeleton(exported), describeErrors(schemas.closedSkeleton.errors));
      for (const block of blocks) {
        const validate = schemas.closedBlock(block.type);
        assert.ok(validate(block), `${block.id}: ${describeErrors(validate.errors)}`);
      }
      assert.ok(schemas.closedHttpRequestOptions(httpBlock().options), describeErrors(schemas.closedHttpRequestOptions.errors));
    });

    void it('refuses broken exports, so the checks above can fail', () => {
      const breaks: Array<[string, (f: TypebotFlow & Record<string, unknown>) => void]> = [
        ['an unknown version', (f) => { f.version = '7'; }],
        ['a group without title', (f) => { delete (f.groups[0] as Partial<TypebotFlow['groups'][0]>).title; }],
        ['no icon', (f) => { delete f.icon; }],
        ['a Condition with options', (f) => { (f.groups.flatMap((g) => g.blocks).find((b) => b.type === 'Condition') as TypebotBlock).options = {}; }],
        ['an HTTP timeout above 120 s', (f) => { (f.groups.flatMap((g) => g.blocks).find((b) => b.type === 'Webhook') as TypebotBlock).options = { timeout: 600 }; }],
      ];
      for (const [label, breakIt] of breaks) {
        const broken = structuredClone(flow) as TypebotFlow & Record<string, unknown>;
        breakIt(broken);
        assert.equal(schemas.typebot(broken), false, `accepted ${label}`);
      }
      const misspelt = { ...inputFor('telefone'), options: { retryMessage: 'Número inválido' } };
      assert.equal(schemas.closedBlock('phone number input')(misspelt), false, 'accepted a misspelt option');
    });
  });

  void it('holds together: start event first, edges back to their sources, targets and variables declared', () => {
    assert.deepEqual(integrityProblems(flow), []);
  });

  void it('names each kind of broken wiring', () => {
    const nameGroup = (f: TypebotFlow) => f.groups.find((g) => g.id === 'g_nome') as TypebotFlow['groups'][0];
    const breaks: Array<[RegExp, (f: TypebotFlow) => void]> = [
      [/e_nif_valido.*"from"/, (f) => { (f.edges.find((e) => e.id === 'e_nif_valido') as TypebotFlow['edges'][0]).from = { blockId: 'b_nif' }; }],
      [/e_orfa is not the outgoingEdgeId/, (f) => { f.edges.push({ id: 'e_orfa', from: { blockId: 'b_cidade' }, to: { groupId: 'g_nif' } }); }],
      [/b_nome_pergunta has an exit but is not the last block/, (f) => {
        f.edges.push({ id: 'e_escondida', from: { blockId: 'b_nome_pergunta' }, to: { groupId: 'g_nif' } });
        (nameGroup(f).blocks[0] as TypebotBlock).outgoingEdgeId = 'e_escondida';
      }],
      [/g_nowhere, which does not exist/, (f) => { (f.edges[1] as TypebotFlow['edges'][0]).to = { groupId: 'g_nowhere' }; }],
      [/edge e_gone, which does not exist/, (f) => { (nameGroup(f).blocks[1] as TypebotBlock).outgoingEdgeId = 'e_gone'; }],
      [/variable id v_cidade is not declared/, (f) => { f.variables = f.variables.filter((v) => v.id !== 'v_cidade'); }],
      [/\{\{Nome\}\} names no declared variable/, (f) => { (nameGroup(f).blocks[0] as TypebotBlock).content = { richText: [{ children: [{ text: 'Olá {{Nome}}' }] }] }; }],
      [/first event is not the start event/, (f) => { f.events.unshift({ id: 'ev_cmd', type: 'command' }); }],
      [/id b_nif is used more than once/, (f) => { (nameGroup(f).blocks[0] as TypebotBlock).id = 'b_nif'; }],
    ];
    for (const [expected, breakIt] of breaks) {
      const broken = structuredClone(flow);
      breakIt(broken);
      assert.match(integrityProblems(broken).join('\n'), expected);
    }
  });

  void it('reaches every block and the HTTP Request from the start, and ends only after the closing message (or a correction that cannot be opened)', () => {
    const { blocks: reached, endsIn } = reachability(flow);
    assert.deepEqual(blocks.map((b) => b.id).filter((id) => !reached.has(id)), []);
    assert.ok(reached.has(httpBlock().id));
    assert.deepEqual([...endsIn].sort(), ['g_concluido', 'g_correcao_falhou']);
  });

  void it('declares the variables the bridge and the registration API rely on; the operator sets UrlRegisto, UrlValidacao, UrlCorrecao and TokenRegisto first', () => {
    assert.deepEqual(flow.variables.map((v) => v.name).sort(), [
      'WhatsApp', 'ContactName', 'SessaoConversa', 'Correcao', 'CodigoCorrecao', 'UrlRegisto', 'UrlValidacao', 'UrlCorrecao', 'TokenRegisto', ...roadmap,
      'validacao_ok', 'validacao_erro', 'validacao_valor', 'a_corrigir', 'item_corrigir', ...roadmap.map((name) => `corrigir_${name}`),
      'correcao_ok', 'correcao_texto', 'correcao_erro',
      'confirmacao', 'registo_sucesso', 'registo_erro', 'registo_estado', 'registo_campo'].sort());
    const settings = blocks.filter((b) => b.type === 'Set variable' && b.options?.isCode === true);
    assert.deepEqual(settings.map((b) => [variableOf(b), b.options?.expressionToEvaluate]), [
      ['UrlRegisto', JSON.stringify(registrationUrl)],
      ['UrlValidacao', JSON.stringify(answerCheckUrl)],
      ['UrlCorrecao', JSON.stringify(correctionUrl)],
      ['TokenRegisto', '""'],
    ]);
    assert.deepEqual(flow.groups[0]?.blocks.slice(0, 4), settings, 'the operator\'s four settings open the first group');
    // Every other Set variable copies a checked value, marks the correction mode, or clears a result.
    const others = blocks.filter((b) => b.type === 'Set variable' && b.options?.isCode !== true);
    for (const block of others) {
      const { type, expressionToEvaluate } = block.options ?? {};
      const what = type === 'Empty' ? 'empty' : expressionToEvaluate === '{{validacao_valor}}' ? 'checked value' : expressionToEvaluate === 'sim' ? 'correcting' : 'other';
      assert.notEqual(what, 'other', `${block.id} sets ${variableOf(block)} to ${expressionToEvaluate}`);
    }
  });

  void it('checks every answer after it is given and asks it again with the check\'s sentence while it is invalid', () => {
    for (const name of roadmap) {
      const input = blocks.find((b) => variableOf(b) === name && b.type !== 'Set variable')!;
      const group = flow.groups.find((g) => g.blocks.includes(input))!;
      const after = group.blocks.slice(group.blocks.indexOf(input) + 1);
      assert.deepEqual(after.map((b) => b.type), ['Set variable', 'Webhook', 'Condition'], `${name}: cleared, checked, decided`);
      const [clear, check, decide] = after as [TypebotBlock, TypebotBlock, TypebotBlock];
      assert.deepEqual([variableOf(clear), clear.options?.type], ['validacao_ok', 'Empty']);
      assert.equal(check.options?.webhook?.url, '{{UrlValidacao}}');
      assert.deepEqual(JSON.parse(check.options?.webhook?.body ?? '{}'), { campo: name, valor: `{{${name}}}`, sessao_conversa: '{{SessaoConversa}}' });
      assert.deepEqual(check.options?.webhook?.headers?.map(({ key, value }) => [key, value]), [['Content-Type', 'application/json'], ['X-Intake-Token', '{{TokenRegisto}}']]);
      assert.deepEqual(check.options?.responseVariableMapping?.map((m) => [m.bodyPath, flow.variables.find((v) => v.id === m.variableId)?.name]),
        [['data.valido', 'validacao_ok'], ['data.erro', 'validacao_erro'], ['data.valor', 'validacao_valor']]);
      const invalid = decide.items?.find((i) => typeof i.content === 'object' && i.content.comparisons?.[0]?.value === 'false');
      const again = flow.groups.find((g) => g.id === edgeTo(invalid?.outgoingEdgeId)?.groupId)!;
      assert.deepEqual(plainText(again.blocks[0]?.content?.richText), ['{{validacao_erro}}']);
      assert.deepEqual(edgeTo(again.blocks[0]?.outgoingEdgeId), { groupId: group.id, blockId: input.id }, `${name}: asked again`);
    }
  });

  void it('configures each step as the roadmap says', () => {
    assert.deepEqual(flow.groups[0]?.blocks.find((b) => b.type === 'choice input')?.items?.map((i) => i.content), ['Começar']);
    assert.deepEqual(roadmap.slice(0, 7).filter((n) => n !== 'telefone' && n !== 'email').map((n) => inputFor(n).type), Array(5).fill('text input'));
    assert.equal(inputFor('telefone', 'phone number input').options?.defaultCountryCode, 'PT');
    for (const name of ['telefone', 'email']) assert.match(inputFor(name).options?.retryMessageContent ?? '', /não parece válido/);
    for (const name of ['cnh_frente', 'cnh_verso', 'comprovante_morada']) {
      const { isRequired, isMultipleAllowed, allowedFileTypes } = inputFor(name, 'file input').options ?? {};
      assert.deepEqual({ isRequired, isMultipleAllowed, allowedFileTypes }, {
        isRequired: true, isMultipleAllowed: false, allowedFileTypes: { isEnabled: true, types: ['jpg', 'jpeg', 'png', 'webp', 'heic', 'pdf'] } });
    }
    const comparison = (name: string) => { const item = conditionOn(name)?.items?.[0]; return typeof item?.content === 'object' ? item.content.comparisons?.[0] : undefined; };
    assert.deepEqual([comparison('registo_sucesso')?.comparisonOperator, comparison('registo_sucesso')?.value], ['Equal to', 'true']);
    assert.deepEqual(inputFor('confirmacao', 'choice input').items?.map((i) => i.content), ['Confirmar', 'Corrigir']);

    const { options } = httpBlock();
    assert.deepEqual([options?.isCustomBody, options?.timeout, options?.webhook?.method, options?.webhook?.url], [true, 60, 'POST', '{{UrlRegisto}}']);
    assert.deepEqual(options?.webhook?.headers?.map(({ key, value }) => [key, value]), [['Content-Type', 'application/json'], ['X-Intake-Token', '{{TokenRegisto}}']]);
    assert.deepEqual(options?.responseVariableMapping?.map((m) => [m.bodyPath, flow.variables.find((v) => v.id === m.variableId)?.name]),
      [['data.success', 'registo_sucesso'], ['data.error', 'registo_erro'], ['statusCode', 'registo_estado'], ['data.campo', 'registo_campo']]);
    assert.deepEqual(inputFor('item_corrigir', 'choice input').items?.map((i) => i.content), [
      'Nome', 'NIF', 'Telemóvel', 'Email', 'Morada', 'Código postal', 'Cidade', 'Carta de condução (frente)', 'Carta de condução (verso)', 'Comprovativo de morada']);
  });

  void it('greets by name only when WhatsApp gave one: "Olá, {{ContactName}}!" behind "ContactName is set", else "Olá!"', () => {
    const condition = conditionOn('ContactName');
    const item = condition?.items?.[0];
    const comparisons = typeof item?.content === 'object' ? item.content.comparisons : undefined;
    assert.deepEqual(comparisons?.map((c) => [c.comparisonOperator, c.value]), [['Is set', undefined]]);
    const first = flow.groups[0]?.blocks ?? [];
    assert.equal(first.indexOf(condition as TypebotBlock), 5, 'decided right after the operator\'s settings and the correction\'s turn-off, before anything is said');
    const withName = flow.groups.find((g) => g.id === flow.edges.find((e) => e.id === item?.outgoingEdgeId)?.to.groupId);
    const greets = (b: TypebotBlock) => plainText(b.content?.richText)[0] ?? '';
    assert.match(greets(withName?.blocks[0] as TypebotBlock), /^Olá, \{\{ContactName\}\}! /);
    assert.match(greets(first[6] as TypebotBlock), /^Olá! /);
    const namers = blocks.filter((b) => stringsIn(b.content).some((text) => text.includes('{{ContactName}}')));
    assert.deepEqual(namers.map((b) => b.id), [withName?.blocks[0]?.id], 'ContactName is said only where it is set');
  });

  void it('speaks European Portuguese to the driver', () => {
    const readByDriver = blocks.flatMap((b) => [
      ...plainText(b.content?.richText),
      ...(b.items ?? []).flatMap((i) => (typeof i.content === 'string' ? [i.content] : [])),
      b.options?.retryMessageContent ?? '', ...stringsIn(b.options?.labels),
    ]).join('\n');
    const word = (w: string) => new RegExp(`(?<!\\p{L})${w}(?!\\p{L})`, 'iu');
    for (const brazilian of ['cadastr\\p{L}*', 'registro', 'celular', 'CEP', 'CNH', 'comprovante', 'carteira de motorista', 'arquivo', 'equipe', 'contato', 'você', 'endereço(?! de e-?mail)']) {
      assert.doesNotMatch(readByDriver, word(brazilian));
    }
    for (const portuguese of ['registo', 'telemóvel', 'morada', 'código postal', 'carta de condução', 'comprovativo de morada', '3 meses', '48 horas', 'WhatsApp']) {
      assert.match(readByDriver, word(portuguese));
    }
  });
});
