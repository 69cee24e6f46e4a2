import type {
  ApprovalView,
  ChatChannel,
  ChatProvider,
  OpenChannelRequest,
  StatusView,
} from '../integrations/chat/provider.js';
import { redactDeep } from '../integrations/redaction/redact.js';
import { asActivityFailure } from './failure-classes.js';

/** Without a chat provider these answer "off" at once, so incidents run the same with or without Slack. */
export function createChatActivities(chat: ChatProvider | undefined) {
  return {
    async openIncidentChannel(request: OpenChannelRequest): Promise<ChatChannel | null> {
      if (!chat) return null;
      return chat.openChannel(redactDeep(request)).catch(asActivityFailure);
    },
    async showIncidentStatus({
      channel,
      view,
      ts,
    }: {
      channel: ChatChannel;
      view: StatusView;
      ts?: string;
    }): Promise<{ ts: string }> {
      if (!chat) throw new Error('chat is off');
      return chat.showStatus(channel, redactDeep(view), ts).catch(asActivityFailure);
    },
    async pinChatMessage({ channel, ts }: { channel: ChatChannel; ts: string }): Promise<void> {
      if (!chat) throw new Error('chat is off');
      return chat.pin(channel, ts).catch(asActivityFailure);
    },
    async showApprovalRequest({
      channel,
      view,
      ts,
    }: {
      channel: ChatChannel;
      view: ApprovalView;
      ts?: string;
    }): Promise<{ ts: string }> {
      if (!chat) throw new Error('chat is off');
      return chat.showApproval(channel, redactDeep(view), ts).catch(asActivityFailure);
    },
  };
}
