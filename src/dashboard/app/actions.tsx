import { useEffect, useRef, useState } from 'preact/hooks';
import type { ActionHint, ApprovalItem, DashboardAction, Permission } from '../api-types.ts';
import { act } from './api.ts';
import { outcomeText, type Outcome } from './outcome.ts';

interface ActionSpec {
  readonly action: DashboardAction;
  readonly label: string;
  readonly does: string;
}

const ACTIONS: readonly ActionSpec[] = [
  { action: 'Promote', label: 'Promote', does: 'continue the paused rollout to its next step' },
  {
    action: 'PromoteFull',
    label: 'Promote full',
    does: 'skip the remaining steps and analyses and promote now',
  },
  { action: 'Abort', label: 'Abort', does: 'stop the rollout: canary weight to 0, then scaled down' },
  { action: 'Retry', label: 'Retry', does: 'restart the revision from step 1' },
  { action: 'Pause', label: 'Pause', does: 'hold the rollout where it is' },
  { action: 'Resume', label: 'Resume', does: 'continue the paused rollout' },
];

/**
 * The action buttons. Each asks for a reason and a confirmation in a dialog, then creates an
 * Approval as the user; the outcome line follows the Approval until the controller applies or
 * rejects it. A button RBAC forbids is disabled and says why.
 */
export function Actions(props: {
  namespace: string;
  name: string;
  phase: string;
  permission: Permission;
  hints: Readonly<Record<DashboardAction, ActionHint>>;
  approvals: readonly ApprovalItem[];
}) {
  const [asking, setAsking] = useState<ActionSpec | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (asking !== undefined && dialog.current?.open === false) dialog.current.showModal();
  }, [asking]);
  const close = (): void => {
    dialog.current?.close();
    setAsking(undefined);
  };
  const confirm = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (asking === undefined) return;
    const spec = asking;
    close();
    setOutcome({ kind: 'sending', action: spec.label });
    const answer = await act(props.namespace, props.name, spec.action, reason.trim());
    setOutcome({ kind: 'answer', action: spec.label, answer });
    setReason('');
  };
  const shown = outcome === undefined ? undefined : outcomeText(outcome, props.approvals);
  return (
    <section aria-labelledby="actions-title" class="actions">
      <h2 id="actions-title">Actions</h2>
      {props.permission.allowed ? null : (
        <p class="denied" id="actions-denied">
          Buttons are off: {props.permission.reason}
        </p>
      )}
      <div class="buttons" role="group" aria-label="Approval actions">
        {ACTIONS.map((spec) => {
          const hint = props.hints[spec.action];
          const phaseOk = hint.applies;
          const why = !props.permission.allowed
            ? props.permission.reason
            : phaseOk
              ? spec.does
              : `the controller would not take ${spec.label} now: ${hint.why}`;
          return (
            <button
              type="button"
              key={spec.action}
              data-action={spec.action}
              disabled={!props.permission.allowed}
              aria-describedby={props.permission.allowed ? undefined : 'actions-denied'}
              class={phaseOk ? 'applies' : 'off-phase'}
              title={why}
              onClick={() => {
                setAsking(spec);
              }}
            >
              {spec.label}
            </button>
          );
        })}
      </div>
      {shown === undefined ? null : (
        <p class={`outcome outcome-${shown.tone}`} role="status" aria-live="polite" data-outcome={shown.tone}>
          {shown.text}
        </p>
      )}
      <dialog
        ref={dialog}
        aria-labelledby="confirm-title"
        onClose={() => {
          setAsking(undefined);
        }}
      >
        {asking === undefined ? null : (
          <form method="dialog" onSubmit={(event) => void confirm(event)}>
            <h3 id="confirm-title">
              {asking.label} {props.namespace}/{props.name}?
            </h3>
            <p>This will {asking.does}. The Approval is created as you and kept with your reason.</p>
            {props.hints[asking.action].applies ? null : (
              <p class="warning">
                The controller would not take {asking.label} now: {props.hints[asking.action].why}. serin will
                refuse it and create nothing.
              </p>
            )}
            <label for="reason">Reason (required)</label>
            <textarea
              id="reason"
              name="reason"
              required
              rows={3}
              maxLength={1024}
              value={reason}
              onInput={(event) => {
                setReason((event.target as HTMLTextAreaElement).value);
              }}
            />
            <div class="dialog-buttons">
              <button type="button" onClick={close}>
                Cancel
              </button>
              <button type="submit" class="confirm" data-confirm={asking.action}>
                Confirm {asking.label}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </section>
  );
}
