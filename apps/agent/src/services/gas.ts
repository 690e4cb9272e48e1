import type { CircuitBreaker } from './breaker.js';
import {
  gasAccountQuerySchema,
  gasAccountSchema,
  gasLedgerSchema,
  gasVoidRequestSchema,
  gasVoidSchema,
  icPurchaseRequestSchema,
  icPurchaseSchema,
  icWriteReportSchema,
  remoteCreditRequestSchema,
  remoteCreditSchema,
  type GasAccount,
  type GasAccountQuery,
  type GasLedger,
  type GasVoid,
  type IcPurchase,
  type IcPurchaseRequest,
  type IcWriteReport,
  type RemoteCredit,
  type RemoteCreditRequest,
} from '@kiosk/contracts/upstream';
import { checkRequest, orNull, type CallOptions, type UpstreamClient } from './http-client.js';

/**
 * The gas company (昆仑燃气). Every money call carries the terminal business serial number, so it
 * may be retried — here and by recovery after a crash — without crediting twice.
 */
export interface GasConnector {
  readonly breaker: CircuitBreaker;
  /** By 户号 or by the IC card number. NOT_FOUND when there is no such account. */
  lookupAccount(query: GasAccountQuery, call?: CallOptions): Promise<GasAccount>;
  /** IoT meter: credit remotely. Same serial again → the original credit with duplicate=true. */
  remoteCredit(req: RemoteCreditRequest, call?: CallOptions): Promise<RemoteCredit>;
  /** Recovery: did this serial get credited? null = never. */
  getRemoteCredit(serialNo: string, call?: CallOptions): Promise<RemoteCredit | null>;
  /** IC-card meter: record the purchase and get what to write to the card. */
  createIcPurchase(req: IcPurchaseRequest, call?: CallOptions): Promise<IcPurchase>;
  /** Recovery / 补写卡: the purchase and its write data again. null = never recorded. */
  getIcPurchase(serialNo: string, call?: CallOptions): Promise<IcPurchase | null>;
  /** Tell the gas company whether the card write took (counter read back from the card). */
  reportCardWrite(serialNo: string, report: IcWriteReport, call?: CallOptions): Promise<IcPurchase>;
  /**
   * 冲正: make the serial impossible to credit, before its payment is refunded. Resolves with a
   * definite `voided` / `never_credited`; REJECTED ALREADY_CREDITED when the gas was credited.
   */
  voidSerial(serialNo: string, reason?: string, call?: CallOptions): Promise<GasVoid>;
  /** The gas company's side of reconciliation for one China-time day. */
  ledger(date: string, call?: CallOptions): Promise<GasLedger>;
}

const serialPath = (serialNo: string) => encodeURIComponent(serialNo);

export function createGasConnector(client: UpstreamClient): GasConnector {
  return {
    breaker: client.breaker,
    async lookupAccount(query, call) {
      const body = checkRequest('gas', 'gas.account.query', gasAccountQuerySchema, query, call);
      return client.request(
        {
          operation: 'gas.account.query',
          method: 'POST',
          path: '/gas/v1/accounts/query',
          body,
          schema: gasAccountSchema,
          retry: true,
        },
        call,
      );
    },
    async remoteCredit(req, call) {
      const body = checkRequest('gas', 'gas.iot.credit', remoteCreditRequestSchema, req, call);
      return client.request(
        {
          operation: 'gas.iot.credit',
          method: 'POST',
          path: '/gas/v1/iot/credits',
          body,
          schema: remoteCreditSchema,
          retry: true,
        },
        call,
      );
    },
    async getRemoteCredit(serialNo, call) {
      return orNull(
        client.request(
          {
            operation: 'gas.iot.credit.get',
            method: 'GET',
            path: `/gas/v1/iot/credits/${serialPath(serialNo)}`,
            schema: remoteCreditSchema,
            retry: true,
          },
          call,
        ),
      );
    },
    async createIcPurchase(req, call) {
      const body = checkRequest('gas', 'gas.ic.purchase', icPurchaseRequestSchema, req, call);
      return client.request(
        {
          operation: 'gas.ic.purchase',
          method: 'POST',
          path: '/gas/v1/ic/purchases',
          body,
          schema: icPurchaseSchema,
          retry: true,
        },
        call,
      );
    },
    async getIcPurchase(serialNo, call) {
      return orNull(
        client.request(
          {
            operation: 'gas.ic.purchase.get',
            method: 'GET',
            path: `/gas/v1/ic/purchases/${serialPath(serialNo)}`,
            schema: icPurchaseSchema,
            retry: true,
          },
          call,
        ),
      );
    },
    async reportCardWrite(serialNo, report, call) {
      const body = checkRequest('gas', 'gas.ic.report', icWriteReportSchema, report, call);
      return client.request(
        {
          operation: 'gas.ic.report',
          method: 'POST',
          path: `/gas/v1/ic/purchases/${serialPath(serialNo)}/report`,
          body,
          schema: icPurchaseSchema,
          // Reporting the same outcome twice is harmless: the gas company keeps the first.
          retry: true,
        },
        call,
      );
    },
    async voidSerial(serialNo, reason, call) {
      const body = checkRequest(
        'gas',
        'gas.void',
        gasVoidRequestSchema,
        { serialNo, ...(reason !== undefined ? { reason } : {}) },
        call,
      );
      return client.request(
        // A void is idempotent by serial number: repeating it returns the first answer.
        { operation: 'gas.void', method: 'POST', path: '/gas/v1/voids', body, schema: gasVoidSchema, retry: true },
        call,
      );
    },
    async ledger(date, call) {
      return client.request(
        { operation: 'gas.ledger', method: 'GET', path: '/gas/v1/ledger', query: { date }, schema: gasLedgerSchema, retry: true },
        call,
      );
    },
  };
}
