import type { Notification } from '../ports/index.ts';
import { approvalLine, factsOf, metricLine, titleOf, toneOf, type Tone } from './presentation.ts';

const COLOR: Record<Tone, string> = { good: 'Good', attention: 'Warning', bad: 'Attention' };

type Element = Record<string, unknown>;

const text = (value: string, extra: Element = {}): Element => ({
  type: 'TextBlock',
  text: value,
  wrap: true,
  ...extra,
});

function metricsElements(notification: Notification): Element[] {
  if (notification.metrics.length === 0) return [];
  return [
    text('Metrics', { weight: 'Bolder', spacing: 'Medium' }),
    ...notification.metrics.map((metric) =>
      text(metricLine(metric), { fontType: 'Monospace', spacing: 'None' }),
    ),
  ];
}

function decisionElements(notification: Notification): Element[] {
  const line = approvalLine(notification);
  return line === undefined ? [] : [text('Decision', { weight: 'Bolder', spacing: 'Medium' }), text(line)];
}

function commandElements(notification: Notification): Element[] {
  if (notification.commands.length === 0) return [];
  return [
    text('Next', { weight: 'Bolder', spacing: 'Medium' }),
    ...notification.commands.map((command) => text(command, { fontType: 'Monospace', spacing: 'None' })),
  ];
}

/**
 * A message for a Teams Workflows webhook ("Post to a channel when a webhook request is received"):
 * one Adaptive Card 1.4 attachment.
 */
export function teamsMessage(notification: Notification): Record<string, unknown> {
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    msteams: { width: 'Full' },
    body: [
      text(titleOf(notification), {
        size: 'Medium',
        weight: 'Bolder',
        color: COLOR[toneOf(notification.event)],
      }),
      text(notification.message),
      {
        type: 'FactSet',
        facts: factsOf(notification).map(([title, value]) => ({ title, value })),
      },
      ...metricsElements(notification),
      ...decisionElements(notification),
      ...commandElements(notification),
      text(`${notification.event} · ${notification.time}`, { isSubtle: true, size: 'Small' }),
    ],
    ...(notification.dashboardUrl === undefined
      ? {}
      : {
          actions: [
            { type: 'Action.OpenUrl', title: 'Open in the dashboard', url: notification.dashboardUrl },
          ],
        }),
  };
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
