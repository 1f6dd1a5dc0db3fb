/** The kiosk's configuration: one JSON file, validated once at start. See docs/config.md. */
export { loadConfig, validateConfig, defaultConfigPath, packageRoot, type ConfigOverrides, type LoadConfigOptions } from './load.js';
export { ConfigError } from './report.js';
export { hasRealDrivers, isSimulated, type DeviceClass } from './devices-info.js';
export type * from './schema.js';
export type * from './devices.js';
export { hashCourierPin, verifyCourierPin, isCourierPin } from './couriers.js';
export { brokerUrlOk } from './schema.js';
