/**
 * S3 browser-upload POST policies, as MinIO's presignedPostPolicy builds them for Typebot
 * (packages/lib/s3 generatePresignedPostPolicy): key, bucket, 10-minute expiry, the size
 * range, Content-Type and Cache-Control pinned. The simulator signs the policy with an
 * HMAC of its own secret instead of AWS Signature V4; the bucket checks it the same way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const cacheControl = 'public, max-age=86400';
const tenMinutesMs = 10 * 60 * 1000;

type PolicyCondition = ['eq', string, string] | ['content-length-range', number, number];

interface Policy {
  expiration: string;
  conditions: PolicyCondition[];
}

const amzDate = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const sign = (secret: string, policyBase64: string) => createHmac('sha256', secret).update(policyBase64).digest('hex');

export function createPostPolicy(options: { bucket: string; key: string; fileType?: string; maxFileSizeMb?: number; secret: string; now: Date }): Record<string, string> {
  const date = amzDate(options.now);
  const fields: Record<string, string> = {
    bucket: options.bucket,
    key: options.key,
    'Cache-Control': cacheControl,
    ...(options.fileType === undefined ? {} : { 'Content-Type': options.fileType }),
    'x-amz-date': date,
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': `typebot-simulator/${date.slice(0, 8)}/us-east-1/s3/aws4_request`,
  };
  const conditions: PolicyCondition[] = Object.entries(fields).map(([name, value]): PolicyCondition => ['eq', `$${name}`, value]);
  if (options.maxFileSizeMb !== undefined) conditions.push(['content-length-range', 0, options.maxFileSizeMb * 1024 * 1024]);
  const policy: Policy = { expiration: new Date(options.now.getTime() + tenMinutesMs).toISOString(), conditions };
  const policyBase64 = Buffer.from(JSON.stringify(policy)).toString('base64');
  return { ...fields, policy: policyBase64, 'x-amz-signature': sign(options.secret, policyBase64) };
}

export type PolicyCheck = { ok: true } | { ok: false; status: number; code: string; message: string };

/** What S3 answers a POST upload whose fields or file break the policy. */
export function checkPostPolicy(fields: Record<string, string>, fileSize: number, secret: string, now: Date): PolicyCheck {
  const policyBase64 = fields.policy ?? '';
  const expected = Buffer.from(sign(secret, policyBase64));
  const given = Buffer.from(fields['x-amz-signature'] ?? '');
  if (policyBase64 === '' || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  const policy = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8')) as Policy;
  if (Date.parse(policy.expiration) < now.getTime()) return { ok: false, status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' };
  for (const condition of policy.conditions) {
    if (condition[0] === 'eq' && fields[condition[1].slice(1)] !== condition[2]) {
      return { ok: false, status: 403, code: 'AccessDenied', message: `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}` };
    }
    if (condition[0] === 'content-length-range' && fileSize > condition[2]) {
      return { ok: false, status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size' };
    }
  }
  return { ok: true };
}
