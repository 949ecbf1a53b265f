/** The Kubernetes API simulator: a real HTTP kube-apiserver stand-in for tests and the demo. */
export { startKubeSim, defaultCrdFiles } from './server.ts';
export type { KubeSim, KubeSimOptions, KubeSimFaults, KubeSimStore } from './server.ts';
export type { FailMatch, RequestMatch } from './faults.ts';
export type { KubeconfigObject } from './kubeconfig.ts';
export type { KubeObject, ObjectMeta, OwnerReference } from './types.ts';
export type { KubeStatus, StatusCause } from './status.ts';
export { CrdLoadError } from './crd-loader.ts';
export { CONFLICT_MESSAGE } from './status.ts';
export { ANONYMOUS, DEFAULT_USER, authorizerVerb } from './audit.ts';
export type { AuditRecord, AuthorizerVerb } from './audit.ts';
export type { DenyRule } from './denials.ts';
