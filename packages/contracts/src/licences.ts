/**
 * 电子证照库: the licence library holds the electronic versions of licences the government issued
 * (居民户口簿, 不动产权证书, 结婚证, 营业执照). The kiosk lists a citizen's licences after explicit
 * consent, and every fetch and every printed copy is recorded there as a use (用证记录) with the
 * purpose the citizen chose. The library answers in full, like the real one; the kiosk masks
 * before anything reaches a screen or paper (flows/licences.ts).
 */
import { z } from 'zod';
import { maskedHolderSchema } from './upstream.js';

export const licenceTypes = ['householdRegister', 'realEstate', 'marriage', 'businessLicence'] as const;
export type LicenceType = (typeof licenceTypes)[number];

/** Why the citizen uses the licence (用证事由), a short fixed list. */
export const licencePurposes = ['socialInsurance', 'schoolEnrolment', 'bankLoan', 'housingFund', 'other'] as const;
export type LicencePurpose = (typeof licencePurposes)[number];

/**
 * One field of a licence. `kind` tells the kiosk how to mask it: a name, an ID number, a home
 * address, or plain text (a property's location, areas, dates, codes) printed as the licence
 * shows it.
 */
export const licenceFieldSchema = z.object({
  label: z.string().min(1).max(40),
  value: z.string().max(200),
  kind: z.enum(['name', 'idNumber', 'address', 'text']),
});
export type LicenceField = z.infer<typeof licenceFieldSchema>;

export const licenceSchema = z.object({
  licenceId: z.string().min(1).max(64),
  type: z.enum(licenceTypes),
  /** 居民户口簿 … as printed on the licence. */
  typeName: z.string().min(1).max(40),
  /** 证照编号. */
  number: z.string().min(1).max(64),
  issuer: z.string().min(1).max(100),
  issuedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  validTo: z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.literal('long-term')]),
  fields: z.array(licenceFieldSchema).max(20),
});
export type Licence = z.infer<typeof licenceSchema>;

export const licenceQueryRequestSchema = z
  .object({
    idNumber: z.string().min(15).max(18),
    purpose: z.enum(licencePurposes),
    /** The citizen agreed on screen to this fetch; the library refuses without it. */
    consent: z.literal(true),
  })
  .strict();

export const licenceQueryResponseSchema = z.object({
  requestId: z.string(),
  library: z.string(),
  holder: maskedHolderSchema.nullable(),
  queriedAt: z.string(),
  licences: z.array(licenceSchema).max(50),
});
export type LicenceQueryResponse = z.infer<typeof licenceQueryResponseSchema>;

export const licenceUseRequestSchema = z
  .object({
    idempotencyKey: z.string().min(8).max(100),
    licenceId: z.string().min(1).max(64),
    action: z.literal('print'),
    purpose: z.enum(licencePurposes),
    /** The serial of the printed 用证凭证, so the use and the slip point at each other. */
    slipSerial: z.string().min(1).max(64),
  })
  .strict();
export type LicenceUseRequest = z.infer<typeof licenceUseRequestSchema>;

export const licenceUseSchema = z.object({
  useId: z.string(),
  licenceId: z.string(),
  kioskId: z.string(),
  action: z.enum(['fetch', 'print']),
  purpose: z.enum(licencePurposes),
  slipSerial: z.string().nullable(),
  at: z.string(),
});
export type LicenceUse = z.infer<typeof licenceUseSchema>;
