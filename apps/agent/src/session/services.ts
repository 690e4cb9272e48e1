import type { KioskConfig } from '@kiosk/kiosk-config';
import type { ServiceId, ServiceInfo } from '@kiosk/contracts/session-view';

/**
 * The services of the 24-hour zone as data. What a service needs decides its availability
 * (availability.ts) and the steps before its own flow (identity, face); the flow itself is an
 * xstate machine registered in flows.ts.
 */
export interface ServiceDefinition {
  id: ServiceId;
  /** Needs the ID card step before its flow. */
  identity: boolean;
  /** required: greyed out without a working printer; optional: works, but says no slip can print. */
  printer: 'none' | 'optional' | 'required';
  /** Upstream systems whose state greys the tile (names used by the upstream status source). */
  upstreams: readonly string[];
  /** Needs the camera for the service itself (not only for a face check). */
  camera?: boolean;
}

export const serviceDefinitions: Readonly<Record<ServiceId, ServiceDefinition>> = {
  property: { id: 'property', identity: true, printer: 'required', upstreams: ['property'] },
  // Gas identifies the account (户号 or gas IC card), not the person; a top-up works without a slip.
  gas: { id: 'gas', identity: false, printer: 'optional', upstreams: ['gas', 'payment'] },
  tax: { id: 'tax', identity: true, printer: 'required', upstreams: ['tax'] },
  social: { id: 'social', identity: true, printer: 'required', upstreams: ['social'] },
  // 自助照相: no identity (the photo is the citizen's own); the receipt code is on screen and slip.
  photo: { id: 'photo', identity: false, printer: 'optional', upstreams: ['payment', 'photo'], camera: true },
  // 电子证照打印 (issue 18): the citizen's own licences, so the ID card comes first.
  licence: { id: 'licence', identity: true, printer: 'required', upstreams: ['licences'] },
};

export type SessionConfig = KioskConfig['session'];

/** Definition plus configuration: what the session and the UI need to know about a service. */
export function serviceInfo(id: ServiceId, config: SessionConfig): ServiceInfo & { enabled: boolean } {
  const def = serviceDefinitions[id];
  const conf = config.services[id];
  return {
    id,
    identity: def.identity,
    // A face check only makes sense after the ID card step.
    face: def.identity ? conf.face : 'off',
    eidCode: def.identity && conf.eidCode,
    printer: def.printer,
    enabled: conf.enabled,
  };
}

export type { ServiceId };
