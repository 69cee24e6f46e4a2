// Slack: a message in a channel (the bot must be in it) or a direct message to a user, opened with
// conversations.open. Slack has no idempotency key; the delivery ledger records what was posted.
import type { WebClient } from '@slack/web-api';
import { esc } from '../slack/blocks.js';
import { classifySlackError } from '../slack/web-client.js';
import type { OutgoingMessage } from './message.js';

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

export async function postToSlack(
  client: WebClient,
  channelOrUser: string,
  message: OutgoingMessage,
): Promise<{ channel: string; ts: string }> {
  const dm = SLACK_USER_ID.test(channelOrUser);
  let channel = channelOrUser;
  if (dm) {
    try {
      const opened = await client.conversations.open({ users: channelOrUser });
      channel = opened.channel!.id!;
    } catch (err) {
      classifySlackError(err, `open a direct message with ${channelOrUser}`);
    }
  }
  const text = `*${esc(message.subject)}* (${esc(message.incidentId)})\n${esc(message.text)}`.slice(0, 3_900);
  try {
    const posted = await client.chat.postMessage({
      channel,
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
      unfurl_links: false,
      unfurl_media: false,
    });
    return { channel, ts: posted.ts! };
  } catch (err) {
    classifySlackError(err, dm ? `send a direct message to ${channelOrUser}` : `post to ${channelOrUser}`);
  }
}
