// Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): a message
// with one Adaptive Card 1.4 attachment (1.5 is not displayed by the Workflows post action). Success is
// 202 Accepted with an empty body. The URL is a credential, read from the environment at each send.
import type { OutgoingMessage } from './message.js';
import { postJson } from './http-post.js';

/** Microsoft's limit is 28 KB a message; the text is cut well below it. */
const MAX_TEXT = 20_000;

export function adaptiveCardMessage(message: OutgoingMessage): object {
  const text = message.text.length > MAX_TEXT ? `${message.text.slice(0, MAX_TEXT)}…` : message.text;
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: message.subject, weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text, wrap: true },
            { type: 'FactSet', facts: [{ title: 'Incident', value: message.incidentId }] },
          ],
        },
      },
    ],
  };
}

export async function sendToTeams(url: string, message: OutgoingMessage, what: string): Promise<void> {
  await postJson(url, JSON.stringify(adaptiveCardMessage(message)), {}, what);
}
