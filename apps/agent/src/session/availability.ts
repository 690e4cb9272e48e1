import type { DeviceStatus } from '@kiosk/contracts/device-status';
import type { KioskMode } from '../modules.js';
import { serviceDefinitions, serviceInfo, type SessionConfig } from './services.js';
import {
  serviceIds,
  type AvailabilityView,
  type ReasonCode,
  type ServiceAvailability,
  type ServiceId,
} from '@kiosk/contracts/session-view';

/** Upstream health as connectors report it (circuit breaker open = down). Unknown counts as up. */
export type UpstreamState = 'up' | 'down' | 'unknown';

export interface AvailabilityInput {
  mode: KioskMode;
  modeMessage: string | null;
  /** By device kind; a kind that is not configured is absent. */
  devices: Readonly<Record<string, DeviceStatus | undefined>>;
  upstreams: Readonly<Record<string, UpstreamState | undefined>>;
  config: SessionConfig;
}

/** Usable now, or will be shortly (starting, busy with someone else's request). */
function deviceUsable(s: DeviceStatus | undefined): boolean {
  return s !== undefined && (s.device === 'online' || s.device === 'deviceBusy' || s.device === 'starting');
}

/** Why the printer cannot print a slip, or null when it can. */
export function printerProblem(s: DeviceStatus | undefined): ReasonCode | null {
  // Paper first: an empty printer reports userError, and "out of paper" tells a guide what to do.
  if (s?.paper === 'out') return 'paperOut';
  if (s?.paper === 'jammed') return 'paperJammed';
  if (!deviceUsable(s)) return 'printerDown';
  return null;
}

/**
 * The service availability matrix: pure, from device, upstream and mode status. A service the
 * kiosk cannot finish is greyed out with its reasons before anyone starts it; when no service is
 * usable (or the mode says so) the kiosk shows the out-of-service page.
 */
export function computeAvailability(input: AvailabilityInput): AvailabilityView {
  const idcardOk = deviceUsable(input.devices['idcard']);
  const cameraOk = deviceUsable(input.devices['camera']);
  const printer = printerProblem(input.devices['printer']);

  const services = {} as Record<ServiceId, ServiceAvailability>;
  for (const id of serviceIds) {
    const def = serviceDefinitions[id];
    const info = serviceInfo(id, input.config);
    const reasons: ReasonCode[] = [];
    if (!info.enabled) reasons.push('disabled');
    if (def.identity && !idcardOk) reasons.push('idcardDown');
    // With a guide beside the citizen (assisted mode) the guide's check stands in for the camera
    // and the face platform.
    const guideChecks = input.mode === 'assisted' && input.config.face.guideVerifies;
    if (info.face === 'required' && !cameraOk && !guideChecks) reasons.push('cameraDown');
    if (def.camera && !cameraOk) reasons.push('cameraDown');
    // The face platform unreachable or not configured: a service that needs a face check can't run.
    if (info.face === 'required' && input.upstreams['face'] === 'down' && !guideChecks) reasons.push('upstreamDown');
    if (def.printer === 'required' && printer) reasons.push(printer);
    if (def.upstreams.some((u) => input.upstreams[u] === 'down')) reasons.push('upstreamDown');
    services[id] = { available: reasons.length === 0, reasons };
  }

  const notices: ReasonCode[] = [];
  if (!idcardOk) notices.push('idcardDown');
  if (printer) notices.push(printer);

  let outOfService: AvailabilityView['outOfService'] = null;
  if (input.mode === 'out-of-service' || input.mode === 'maintenance') {
    outOfService = { reason: 'mode', message: input.modeMessage };
  } else if (!serviceIds.some((id) => services[id].available)) {
    outOfService = { reason: 'devices', message: null };
  }
  // The e-ID code is a second way through the identity step, never the only one: services still
  // need the ID card reader (above); without a scanner or the platform the step offers the card only.
  const eidCode = deviceUsable(input.devices['scanner']) && input.upstreams['eid'] !== 'down';
  return { services, notices, outOfService, eidCode };
}
