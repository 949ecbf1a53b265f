import { parseKind, type CanaryStatus } from '../api/index.ts';
import type { KubeObject } from '../kube/index.ts';
import { previewApproval } from '../machine/index.ts';
import type { ActionHint, DashboardAction } from './api-types.ts';

const ACTIONS: readonly DashboardAction[] = ['Promote', 'PromoteFull', 'Abort', 'Retry', 'Pause', 'Resume'];

/**
 * Whether the controller would take each action now, asked of the state machine itself on the
 * state the Canary's status holds (as `serin promote` asks before creating anything), so a button's
 * hint never disagrees with the controller. The reason is given, since the dialog requires one.
 */
export function actionHints(canary: KubeObject, now: number): Record<DashboardAction, ActionHint> {
  const parsed = parseKind('Canary', canary);
  const status: CanaryStatus = canary.status ?? {};
  const hints = {} as Record<DashboardAction, ActionHint>;
  for (const action of ACTIONS) {
    if (!parsed.ok) {
      hints[action] = {
        applies: false,
        why: 'its spec is invalid; the controller applies nothing until it is fixed',
      };
      continue;
    }
    if (status.machine === undefined || status.revision === undefined) {
      hints[action] = { applies: false, why: 'the controller has not reconciled it yet' };
      continue;
    }
    try {
      const preview = previewApproval(
        status.machine,
        parsed.value.spec,
        {
          action,
          revision: status.revision,
          approver: 'serin-dashboard',
          reason: 'preview',
          ...(status.currentStepIndex === undefined ? {} : { step: status.currentStepIndex }),
        },
        now,
      );
      hints[action] =
        preview.result === 'Applied' ? { applies: true, why: '' } : { applies: false, why: preview.reason };
    } catch (err) {
      hints[action] = { applies: false, why: `its stored state cannot be read (${String(err)})` };
    }
  }
  return hints;
}
