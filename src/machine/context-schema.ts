import { z } from 'zod';
import { PauseReason } from '../api/index.ts';
import type { MachineContext } from './types.ts';

/**
 * The version of `status.machine` this code writes. Raise it when the context changes in a way an
 * older reader would misread (a field that changes meaning, a renamed field), and teach `restore`
 * to migrate from the version before. A field added with a default needs no new version: a stored
 * context without it takes the default (`initialContext`).
 */
export const MACHINE_STATE_VERSION = 1;

const nullableTime = z.number().nullable();

/**
 * The machine's context as stored: every field, with its JSON type. Typed against MachineContext,
 * so a field added to one and not the other fails the type check.
 */
export const MachineContextSchema: z.ZodType<MachineContext> = z.object({
  now: z.number(),
  revision: z.string().nullable(),
  stableRevision: z.string().nullable(),
  attempt: z.number().int().min(1),
  rollout: z.number().int().min(0),
  stepIndex: z.number().int().min(0),
  stepKind: z.enum(['setWeight', 'pause', 'approval', 'analysis']).nullable(),
  stepStartedAt: nullableTime,
  stepDone: z.boolean(),
  stepRunId: z.string().nullable(),
  backgroundRunId: z.string().nullable(),
  backgroundStarted: z.boolean(),
  canaryWeight: z.number().int().min(0).max(100),
  canaryReady: z.boolean(),
  readyWaitSince: nullableTime,
  promotingSince: nullableTime,
  primaryReady: z.boolean(),
  pauseReason: PauseReason.nullable(),
  suspended: z.boolean(),
  pendingRevision: z.string().nullable(),
  message: z.string().nullable(),
  initializingSince: nullableTime,
  initStalled: z.boolean(),
  gate: z
    .object({
      id: z.string(),
      type: z.enum(['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion']),
      step: z.number().int().min(0),
      // The status write is a merge patch, which drops nulls at any depth: a stored gate has no
      // message until one held it. (Top-level nulls come back from initialContext.)
      message: z.string().nullable().default(null),
    })
    .nullable(),
  gatesPassed: z.array(z.string()),
});
