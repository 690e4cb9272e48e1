/**
 * What the 电子证照打印 screens show (JSON, masked). No imports from the agent's runtime, so the
 * kiosk UI imports these types as it does record-views.ts.
 */
import type { CitizenText, HolderView } from './record-views.js';

export type LicenceTypeId = 'householdRegister' | 'realEstate' | 'marriage' | 'businessLicence';
export type LicencePurposeId = 'socialInsurance' | 'schoolEnrolment' | 'bankLoan' | 'housingFund' | 'other';

export interface LicenceView {
  licenceId: string;
  type: LicenceTypeId;
  typeName: string;
  number: string;
  issuer: string;
  issuedOn: string;
  /** YYYY-MM-DD or `long-term`. */
  validTo: string;
  /** The licence's key fields, masked as on every slip (names, ID numbers, home addresses). */
  fields: { label: string; value: string }[];
}

/** Step `consent`: what will be fetched, from where; the citizen agrees or goes back. */
export interface LicenceConsentData {
  library: string;
  holder: HolderView | null;
  types: LicenceTypeId[];
}

/** Step `purpose`: why the licence is used (printed on the slip and recorded at the library). */
export interface LicencePurposeData {
  purposes: LicencePurposeId[];
  purpose: LicencePurposeId | null;
}

/** Step `list`. */
export interface LicenceListData {
  library: string;
  holder: HolderView | null;
  purpose: LicencePurposeId;
  licences: LicenceView[];
}

/** Step `preview`: the licence as the slip will print it. */
export interface LicencePreviewData {
  holder: HolderView | null;
  purpose: LicencePurposeId;
  licence: LicenceView;
}

/** Steps `error` (shape of views.ts ErrorData, so the shared error screen shows it) and `noRecords`. */
export interface LicenceErrorData {
  service: 'licence';
  message: CitizenText;
  retryable: boolean;
}
