import type { KioskConfig } from './config/schema.js';
import type { Logger } from './log.js';
import type { Db } from './store/database.js';
import type { DeviceDriver } from './devices/status.js';
import type { AgentModuleFactory } from './modules.js';
import { createIdCardDriver } from './devices/idcard/driver.js';
import { createPrinterDriver } from './devices/printer/index.js';
import { createCameraDriver } from './devices/camera/index.js';

/** The drivers the config enables, each with its own child logger. */
export function defaultDevices(config: KioskConfig, logger: Logger): (db: Db) => DeviceDriver[] {
  return (db) => {
    const list: DeviceDriver[] = [];
    const { idcard, printer, camera } = config.devices;
    if (idcard.enabled) list.push(createIdCardDriver(idcard, logger.child({ device: 'idcard' })));
    if (printer.enabled) list.push(createPrinterDriver(printer, db, logger.child({ device: 'printer' })));
    if (camera.enabled) list.push(createCameraDriver(camera, logger.child({ device: 'camera' })));
    return list;
  };
}

/** Feature modules of the production agent, in start order. */
export function defaultModules(): AgentModuleFactory[] {
  return [];
}
