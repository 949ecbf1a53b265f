/** The demo HTTP app the workload emulator runs in place of a Deployment's pods. */
export { SERVICE_TIME_HEADER, startDemoApp } from './server.ts';
export type { DemoApp, DemoAppOptions } from './server.ts';
export { parseBehaviour, sampleLatency, DEFAULT_BEHAVIOUR, LATENCY_SIGMA } from './behaviour.ts';
export type { DemoBehaviour, EnvVar, ParsedBehaviour } from './behaviour.ts';
