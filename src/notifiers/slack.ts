import type { Notification } from '../ports/index.ts';
import { approvalLine, factsOf, metricLine, titleOf, toneOf, type Tone } from './presentation.ts';

const EMOJI: Record<Tone, string> = { good: ':white_check_mark:', attention: ':warning:', bad: ':x:' };

type Block = Record<string, unknown>;

const mrkdwn = (text: string): Block => ({ type: 'mrkdwn', text });

/** Slack's mrkdwn treats &, < and > as markup; everything from the cluster is escaped. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function metricsBlock(notification: Notification): Block[] {
  if (notification.metrics.length === 0) return [];
  const lines = notification.metrics.map((metric) => `• \`${escape(metricLine(metric))}\``);
  return [{ type: 'section', text: mrkdwn(`*Metrics*\n${lines.join('\n')}`) }];
}

function approvalBlock(notification: Notification): Block[] {
  const line = approvalLine(notification);
  return line === undefined ? [] : [{ type: 'section', text: mrkdwn(`*Decision*\n${escape(line)}`) }];
}

function nextBlock(notification: Notification): Block[] {
  const parts = notification.commands.map((command) => `\`${escape(command)}\``);
  if (notification.dashboardUrl !== undefined)
    parts.push(`<${notification.dashboardUrl}|Open in the dashboard>`);
  return parts.length === 0 ? [] : [{ type: 'section', text: mrkdwn(`*Next*\n${parts.join('\n')}`) }];
}

/** A Slack incoming-webhook message in Block Kit, with `text` as the fallback for notifications. */
export function slackMessage(notification: Notification): Record<string, unknown> {
  const title = `${EMOJI[toneOf(notification.event)]} ${titleOf(notification)}`;
  return {
    text: `${title}: ${notification.message}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: titleOf(notification).slice(0, 150) } },
      {
        type: 'section',
        text: mrkdwn(`${EMOJI[toneOf(notification.event)]} ${escape(notification.message)}`),
      },
      {
        type: 'section',
        fields: factsOf(notification).map(([label, value]) => mrkdwn(`*${label}*\n${escape(value)}`)),
      },
      ...metricsBlock(notification),
      ...approvalBlock(notification),
      ...nextBlock(notification),
      {
        type: 'context',
        elements: [mrkdwn(`${notification.event} · ${notification.time} · serin`)],
      },
    ],
  };
}
