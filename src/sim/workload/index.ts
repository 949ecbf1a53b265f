/**
 * The workload emulator: stands in for the Deployment controller and kubelet so serin can be run
 * end to end without a cluster (see docs/emulators.md).
 */
export { startWorkloadEmulator } from './emulator.ts';
export type {
  WorkloadEmulator,
  WorkloadEmulatorOptions,
  Endpoint,
  EndpointSource,
  RunningApp,
  AppEvent,
} from './emulator.ts';
export { viewDeployment, hashTemplate, selectorMatches, statusPatch } from './pod-template.ts';
export type { DeploymentView, ReplicaCounts } from './pod-template.ts';
