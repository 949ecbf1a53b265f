/**
 * The ValidatingAdmissionPolicy that keeps Approvals truthful, evaluated the way kube-apiserver
 * evaluates it: every validation's CEL expression over `object`, `oldObject` and `request`, and the
 * request is admitted only when all of them are true. The expressions are read from deploy/, so
 * the test checks what is shipped.
 */
import { readFileSync } from 'node:fs';
import { Environment } from '@marcbachmann/cel-js';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const POLICY_FILE = 'deploy/components/approval-policy/approval-policy.yaml';

interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
}
interface Policy {
  kind: string;
  metadata: { name: string };
  spec: {
    failurePolicy?: string;
    policyName?: string;
    validationActions?: string[];
    matchConstraints?: {
      resourceRules: { apiGroups: string[]; operations: string[]; resources: string[] }[];
    };
    validations?: Validation[];
  };
}

const documents = parseAllDocuments(readFileSync(POLICY_FILE, 'utf8')).map((d) => d.toJS() as Policy);
const policy = documents.find((d) => d.kind === 'ValidatingAdmissionPolicy')!;
const binding = documents.find((d) => d.kind === 'ValidatingAdmissionPolicyBinding')!;
const validations = policy.spec.validations ?? [];

// The API server declares object and oldObject with the CRD's schema and request as
// admission.k8s.io's AdmissionRequest; `dyn` lets the same fields be reached here.
const env = new Environment()
  .registerVariable('object', 'dyn')
  .registerVariable('oldObject', 'dyn')
  .registerVariable('request', 'dyn');

/** JSON as the API server hands it to CEL: integers are `int`, other numbers `double`. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value;
}

type Operation = 'CREATE' | 'UPDATE';
interface Admission {
  operation: Operation;
  username: string;
  object: Record<string, unknown>;
  oldObject?: Record<string, unknown>;
}

/** Admitted, or the messages of the validations that refused, as kube-apiserver would list them. */
function admit(a: Admission): { allowed: true } | { allowed: false; messages: string[] } {
  const vars = toCel({
    object: a.object,
    oldObject: a.oldObject ?? null,
    request: {
      operation: a.operation,
      userInfo: { username: a.username, groups: ['system:authenticated'] },
      resource: { group: 'serin.dev', version: 'v1alpha1', resource: 'approvals' },
    },
  }) as Record<string, unknown>;
  const messages: string[] = [];
  for (const v of validations) {
    if (env.evaluate(v.expression, vars) === true) continue;
    messages.push(
      v.messageExpression === undefined ? (v.message ?? '') : String(env.evaluate(v.messageExpression, vars)),
    );
  }
  return messages.length === 0 ? { allowed: true } : { allowed: false, messages };
}

const approval = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'serin.dev/v1alpha1',
  kind: 'Approval',
  metadata: { name: 'podinfo-x7k2p', namespace: 'shop', ...metadata },
  spec: {
    canaryRef: { name: 'podinfo' },
    action: 'Promote',
    revision: 'bc1656f4b9',
    step: 4,
    approver: 'alice@example.com',
    ...spec,
  },
});

describe('the Approval admission policy', () => {
  it('is a v1 policy bound with Deny, failing closed, on CREATE and UPDATE of approvals (not their status)', () => {
    expect(policy.spec.failurePolicy).toBe('Fail');
    expect(binding.spec).toMatchObject({ policyName: policy.metadata.name, validationActions: ['Deny'] });
    expect(policy.spec.matchConstraints?.resourceRules).toEqual([
      expect.objectContaining({
        apiGroups: ['serin.dev'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['approvals'],
      }),
    ]);
  });

  it('every expression type-checks and yields a bool; every message expression a string', () => {
    expect(validations.length).toBeGreaterThan(0);
    for (const v of validations) {
      expect(env.check(v.expression), v.expression).toMatchObject({ valid: true });
      if (v.messageExpression !== undefined)
        expect(env.check(v.messageExpression), v.messageExpression).toMatchObject({ valid: true });
    }
  });

  it('admits an Approval created by the user it names', () => {
    expect(admit({ operation: 'CREATE', username: 'alice@example.com', object: approval() })).toEqual({
      allowed: true,
    });
  });

  it('refuses an Approval that names someone other than its creator, and says who created it', () => {
    const verdict = admit({ operation: 'CREATE', username: 'mallory@example.com', object: approval() });
    expect(verdict).toEqual({
      allowed: false,
      messages: [
        'spec.approver must be the user creating the Approval (mallory@example.com), not alice@example.com',
      ],
    });
  });

  it('refuses a service account that signs in a person’s name', () => {
    const verdict = admit({
      operation: 'CREATE',
      username: 'system:serviceaccount:ci:deployer',
      object: approval(),
    });
    expect(verdict.allowed).toBe(false);
  });

  it('refuses an update that changes the spec (the action, the approver, the step)', () => {
    for (const change of [
      { action: 'Abort' },
      { approver: 'bob@example.com' },
      { step: 3 },
      { reason: 'added' },
    ]) {
      const verdict = admit({
        operation: 'UPDATE',
        username: 'alice@example.com',
        oldObject: approval(),
        object: approval(change),
      });
      expect(verdict, JSON.stringify(change)).toEqual({
        allowed: false,
        messages: ["an Approval's spec cannot change after it is created; create a new Approval instead"],
      });
    }
  });

  it('admits an update that changes only labels or status, by anyone', () => {
    const labelled = approval({}, { labels: { team: 'shop' } });
    expect(
      admit({ operation: 'UPDATE', username: 'bob@example.com', oldObject: approval(), object: labelled }),
    ).toEqual({ allowed: true });
    const withStatus = { ...approval(), status: { phase: 'Applied' } };
    expect(
      admit({ operation: 'UPDATE', username: 'bob@example.com', oldObject: approval(), object: withStatus }),
    ).toEqual({ allowed: true });
  });
});
