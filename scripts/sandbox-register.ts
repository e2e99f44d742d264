/**
 * `npm run sandbox:register` (with `npm start` running): submits one registration the way the
 * Typebot flow does — real photos and a real PDF — and prints how to review it.
 * Env: API_URL (default http://127.0.0.1:8000); INTAKE_SHARED_SECRET when `npm start` runs with one.
 */
import { flatPayload, sampleDocuments, variablesPayload } from '../test/support/registration-payloads.ts';

const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:8000';
const payload = flatPayload(await sampleDocuments());
const response = await fetch(`${apiUrl}/drivers/register-typebot/`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(process.env.INTAKE_SHARED_SECRET ? { 'x-intake-token': process.env.INTAKE_SHARED_SECRET } : {}) },
  body: JSON.stringify(variablesPayload(payload)),
});
const answer = (await response.json()) as { registration_id?: string };
console.log(`POST /drivers/register-typebot/ → ${response.status}`, answer);
if (answer.registration_id !== undefined) {
  const id = answer.registration_id;
  console.log(`\nDriver: ${String(payload.nome_completo)}, NIF ${String(payload.nif)}, phone ${String(payload.telefone)}`);
  console.log('Review it with the token `npm start` printed:');
  console.log(`  curl -H "Authorization: Bearer $TOKEN" ${apiUrl}/drivers/${id}`);
  console.log(`  curl -X POST -H "Authorization: Bearer $TOKEN" ${apiUrl}/drivers/${id}/approve`);
  const digits = `351${String(payload.telefone).replace(/\s/g, '')}`;
  console.log('Then read the WhatsApp chat in the simulator (token command printed by `npm start`):');
  console.log(`  curl -H "Authorization: Bearer <wppconnect token>" http://127.0.0.1:21465/api/leguas/get-messages/${digits}@c.us`);
}
