import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lintPaths } from '../../src/cli/lint.ts';
import { CanaryNotifications, NotificationsConfig } from '../../src/api/notifications.ts';
import { canary, successRateTemplate } from '../controller/harness.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function lint(...documents: unknown[]): string[] {
  dir = mkdtempSync(join(tmpdir(), 'serin-lint-notifications-'));
  const file = join(dir, 'objects.yaml');
  writeFileSync(file, [successRateTemplate(), ...documents].map((d) => stringify(d)).join('---\n'));
  return lintPaths([dir]).problems.map((p) => `${p.kind ?? ''} ${p.path}: ${p.message}`);
}

function configMap(config: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'serin-notifications', namespace: 'serin-system' },
    data: { 'config.yaml': config },
  };
}

const GOOD_CONFIG =
  'receivers:\n  - name: team-chat\n    type: slack\n    urlSecretRef: { name: hooks, key: url }\n';

describe('spec.notifications validation', () => {
  it('names an unknown event and the events it could be', () => {
    const result = CanaryNotifications.safeParse({
      receivers: [{ receiver: 'a', events: ['Aborted', 'Rollbacked'] }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'unknown notification event "Rollbacked": expected one of Progressing, StepCompleted, WaitingForApproval, Promoted, Aborted, AnalysisFailed, AnalysisInconclusive, Stalled, ApprovalApplied, ApprovalRejected',
    );
  });

  it('refuses a receiver listed twice and an event listed twice', () => {
    const result = CanaryNotifications.safeParse({
      receivers: [{ receiver: 'a' }, { receiver: 'a' }],
      events: ['Aborted', 'Aborted'],
    });
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'events.1: event Aborted is listed twice',
      'receivers.1.receiver: receiver "a" is listed twice',
    ]);
  });

  it('serin lint reports a bad spec.notifications with its field', () => {
    const problems = lint(canary({ notifications: { receivers: [{ receiver: 'Team Chat' }] } }));
    expect(problems.join('\n')).toContain(
      'spec.notifications.receivers[0].receiver: must be a lowercase receiver name',
    );
  });
});

describe('the notifications ConfigMap', () => {
  it('refuses an unknown receiver type, a signing key on Slack, a name defined twice', () => {
    const result = NotificationsConfig.safeParse({
      receivers: [
        { name: 'a', type: 'discord', urlSecretRef: { name: 's', key: 'k' } },
        {
          name: 'b',
          type: 'slack',
          urlSecretRef: { name: 's', key: 'k' },
          signingSecretRef: { name: 's', key: 'h' },
        },
      ],
    });
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'receivers.0.type: unknown receiver type "discord": expected slack, teams or webhook',
      'receivers.1.signingSecretRef: signingSecretRef applies to type webhook only (receiver "b" is slack)',
    ]);
    const twice = NotificationsConfig.safeParse({
      receivers: [
        { name: 'b', type: 'slack', urlSecretRef: { name: 's', key: 'k' } },
        { name: 'b', type: 'webhook', urlSecretRef: { name: 's', key: 'k' } },
      ],
    });
    expect(twice.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'receivers.1.name: receiver "b" is defined twice',
    ]);
  });

  it('serin lint checks config.yaml and a Canary naming a receiver it does not define', () => {
    const problems = lint(
      configMap(GOOD_CONFIG),
      canary({ notifications: { receivers: [{ receiver: 'team-chat' }, { receiver: 'ops-pager' }] } }),
    );
    expect(problems).toEqual([
      'Canary spec.notifications.receivers[1].receiver: receiver "ops-pager" is not defined in the notifications ConfigMap (known: team-chat)',
    ]);
  });

  it('serin lint names the field of a bad config.yaml', () => {
    const problems = lint(configMap('receivers:\n  - name: team-chat\n    type: slack\n'));
    expect(problems).toEqual([
      'ConfigMap data: config.yaml: receivers.0.urlSecretRef: Invalid input: expected object, received undefined',
    ]);
  });

  it('a valid ConfigMap and Canary lint clean', () => {
    expect(
      lint(configMap(GOOD_CONFIG), canary({ notifications: { receivers: [{ receiver: 'team-chat' }] } })),
    ).toEqual([]);
  });
});
