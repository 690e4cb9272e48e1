import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { Db } from '@kiosk/platform';
import type { DeviceDriver } from '@kiosk/contracts/device-status';
import type { AgentModuleFactory } from './modules.js';
import { createMonitorModule } from './monitor/module.js';
import { createIdCardDriver } from './devices/idcard/driver.js';
import { createPrinterDriver } from './devices/printer/index.js';
import { createCameraDriver } from './devices/camera/index.js';
import { createGasCardDriver } from './devices/gascard/driver.js';
import { createScannerDriver } from './devices/scanner/driver.js';
import { createGasModuleWith } from './gas/module.js';
import { createRecordFlows, upstreamStatusFrom } from './flows/index.js';
import { createGasFlow } from './flows/gas.js';
import { createPhotoFlow } from './flows/photo.js';
import { createPhotoModuleWith } from './photo/module.js';
import { createLicenceFlow } from './flows/licences.js';
import { servicesFor } from './services/index.js';
import { faceConnectorFor, faceVerifierFrom, withFaceStatus } from './services/face.js';
import { eidConnectorFor, eidRedeemerFrom, withEidStatus } from './services/eid.js';
import { createSessionModuleWith } from './session/module.js';
import { createStaffModule } from './staff/module.js';
import { createVoiceModule } from './voice/module.js';
import { createSelfcareModule } from './selfcare/module.js';
import { createRatingsModuleWith } from './ratings/module.js';

/** The drivers the config enables, each with its own child logger. */
export function defaultDevices(config: KioskConfig, logger: Logger): (db: Db) => DeviceDriver[] {
  return (db) => {
    const list: DeviceDriver[] = [];
    const { idcard, printer, camera } = config.devices;
    if (idcard.enabled) list.push(createIdCardDriver(idcard, logger.child({ device: 'idcard' })));
    if (printer.enabled) list.push(createPrinterDriver(printer, db, logger.child({ device: 'printer' })));
    if (camera.enabled) list.push(createCameraDriver(camera, logger.child({ device: 'camera' })));
    const { gascard } = config.devices;
    if (gascard?.enabled) list.push(createGasCardDriver(gascard, logger.child({ device: 'gascard' })));
    const { scanner } = config.devices;
    if (scanner?.enabled) list.push(createScannerDriver(scanner, logger.child({ device: 'scanner' })));
    return list;
  };
}

/** Feature modules of the production agent, in start order. */
export function defaultModules(config: KioskConfig, logger: Logger): AgentModuleFactory[] {
  // One set of connectors (and circuit breakers) for the whole agent: the tiles grey out from them.
  const services = servicesFor(config, logger);
  // Face verification platform, or null: then the session refuses the face step (never a stub).
  const face = faceConnectorFor(config, logger);
  // 鄂汇办 e-ID codes scanned at the identity step (upstream.eid, or the sandbox at upstream.baseUrl).
  const eid = eidConnectorFor(config, logger);
  const upstreamStates = () => withEidStatus(withFaceStatus(upstreamStatusFrom(services), face), eid);
  return [
    createSessionModuleWith({
      flows: {
        ...createRecordFlows(services, config, { logger }),
        gas: createGasFlow({ logger }),
        licence: createLicenceFlow(services, config, { logger }),
        photo: createPhotoFlow({ logger }),
      },
      upstreams: upstreamStates(),
      faceVerifier: face ? faceVerifierFrom(face) : null,
      eidRedeemer: eidRedeemerFrom(eid),
    }),
    // Heartbeats, local /metrics and central's remote commands (which wait for the session's safe points).
    createMonitorModule,
    // Staff entry, assisted mode and the maintenance panel use the session's API: after it.
    createStaffModule,
    // Its start() runs recovery of unfinished orders; the kiosk is ready only after that.
    createGasModuleWith({ services }),
    // 自助照相: booth, checks, photo orders on the same payment provider and money rules as gas.
    createPhotoModuleWith({ services }),
    // 好差评: ratings queued in the store and delivered once to the evaluation platform (and central).
    createRatingsModuleWith({ services }),
    // Offline speech synthesis (espeak-ng) for the UI's voice guidance.
    createVoiceModule,
    // Each upstream's breaker state in /healthz, for `kiosk doctor`.
    () => ({ name: 'upstreams', health: () => ({ upstreams: upstreamStates().states() }) }),
    // Unattended kiosks only (selfcare.enabled): browser watchdog, disk guard, clock check, nightly maintenance.
    createSelfcareModule,
  ];
}
