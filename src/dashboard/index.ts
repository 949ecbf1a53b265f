/** The dashboard: a loopback web server and its page, acting with the user's own Kubernetes credentials. */
export { startDashboard, type ActFn, type DashboardOptions, type RunningDashboard } from './server.ts';
export { loadAssets } from './assets.ts';
export type { ActionAnswer, DashboardAction, SessionInfo } from './api-types.ts';
