// A contract fake of the slice of Slack's Web API the chat integration uses, on 127.0.0.1, for the real
// @slack/web-api and @slack/bolt clients: Slack's wire format (POST to `<apiUrl><method>`, form-encoded or
// JSON bodies, bearer token), its `{ok, error}` envelopes and error codes, 429 + Retry-After, outages, and
// state for channels, messages, pins, views and user groups. It also serves response_urls and records them.
// Not built on json-fake-server.ts, which expects JSON bodies while Slack's clients send forms.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  /** The arguments as Slack would read them: form strings, with `blocks`, `view`, `attachments`, `users` JSON-decoded; no `token`. */
  args: Record<string, unknown>;
  token?: string;
  at: number;
}

export interface FakeChannel {
  id: string;
  name: string;
  purpose: string;
  members: Set<string>;
  is_private?: boolean;
  /** Epoch seconds. */
  created?: number;
}

export interface FakeMessage {
  ts: string;
  text?: string;
  blocks?: any[];
  thread_ts?: string;
  pinned: boolean;
  updates: number;
}

export type SlackFailure = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

export interface SlackFake {
  /** Give to WebClient/Bolt as slackApiUrl / SLACK_API_URL; ends with '/api/'. */
  apiUrl: string;
  /** Every Web API call received, in order, including failed ones. */
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** The next `times` calls of `method` fail: HTTP 429 with Retry-After seconds, HTTP 500, or HTTP 200 {ok:false,error}. */
  failNext(method: string, failure: SlackFailure, times?: number): void;
  /** While down, every request (response_urls too) is answered 503 (Slack entirely unavailable). */
  setDown(down: boolean): void;
  addUsergroup(group: { id: string; handle: string; users: string[] }): void;
  /** A channel that exists before the test (say, where a slash command is typed); the bot is a member. */
  addChannel(channel: {
    id?: string;
    name: string;
    purpose?: string;
    members?: string[];
    is_private?: boolean;
  }): FakeChannel;
  /** A URL to give as a payload's response_url; what is POSTed there is recorded in `responses`. */
  responseUrl(name?: string): string;
  /** What was POSTed to response_urls (not while down), JSON- or form-decoded. */
  responses: { path: string; body: any; at: number }[];
  channels: Map<string, FakeChannel>;
  /** Messages of a channel, oldest first: current text and blocks (after chat.update), and whether pinned. */
  messages(channel: string): FakeMessage[];
  close(): Promise<void>;
}

export const BOT_USER_ID = 'U0BOT';
const TEAM_ID = 'T0TEST';
const JSON_ARGS = ['blocks', 'view', 'attachments', 'users'];

type Args = Record<string, any>;
type Reply = { ok: boolean; error?: string; [key: string]: unknown };
const ok = (fields: Record<string, unknown> = {}): Reply => ({ ok: true, ...fields });
const fail = (error: string, fields: Record<string, unknown> = {}): Reply => ({ ok: false, error, ...fields });
const flag = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;
const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(8, '0')}`;

export async function startSlackFake({ botToken = 'xoxb-test-token' }: { botToken?: string } = {}): Promise<SlackFake> {
  const calls: SlackCall[] = [];
  const responses: SlackFake['responses'] = [];
  const channels = new Map<string, FakeChannel>();
  const messages = new Map<string, Map<string, FakeMessage>>();
  const usergroups = new Map<string, { id: string; handle: string; users: string[] }>();
  const views = new Map<string, Args>();
  const failures = new Map<string, SlackFailure[]>();
  let down = false;
  let counter = 0;
  let clock = 1_700_000_000_000_000; // microseconds: message ts '1700000000.000100', '1700000000.000200', …
  const nextTs = () => {
    clock += 100;
    return `${Math.floor(clock / 1e6)}.${String(clock % 1e6).padStart(6, '0')}`;
  };

  const addChannel: SlackFake['addChannel'] = ({
    id: channelId,
    name,
    purpose = '',
    members = [],
    is_private = false,
  }) => {
    const channel = {
      id: channelId ?? id('C', ++counter),
      name,
      purpose,
      members: new Set([BOT_USER_ID, ...members]),
      is_private,
      created: Math.floor(Date.now() / 1000),
    };
    channels.set(channel.id, channel);
    return channel;
  };
  /** A channel's messages by ts (also for channels a test put straight into `channels`). */
  const messagesIn = (channelId: string) =>
    messages.get(channelId) ?? messages.set(channelId, new Map()).get(channelId)!;
  /** Slack takes a channel id or, for posting, a name with or without '#'. */
  const findChannel = (ref: unknown) =>
    typeof ref === 'string'
      ? (channels.get(ref) ?? [...channels.values()].find((c) => `#${c.name}` === ref || c.name === ref))
      : undefined;
  const channelObject = (c: FakeChannel) => ({
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: !c.is_private,
    is_group: !!c.is_private,
    is_private: !!c.is_private,
    is_archived: false,
    is_member: c.members.has(BOT_USER_ID),
    created: c.created ?? 0,
    creator: BOT_USER_ID,
    purpose: { value: c.purpose, creator: c.purpose ? BOT_USER_ID : '', last_set: c.purpose ? (c.created ?? 0) : 0 },
    topic: { value: '', creator: '', last_set: 0 },
    num_members: c.members.size,
  });
  const groupObject = (g: { id: string; handle: string; users: string[] }, withUsers: boolean) => ({
    id: g.id,
    team_id: TEAM_ID,
    handle: g.handle,
    name: g.handle,
    is_usergroup: true,
    user_count: g.users.length,
    ...(withUsers ? { users: [...g.users] } : {}),
  });
  const viewObject = (view: Args, viewId: string) => ({
    callback_id: '',
    private_metadata: '',
    external_id: '',
    ...view,
    id: viewId,
    team_id: TEAM_ID,
    state: { values: {} },
    hash: `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(8, '0')}`,
    app_id: 'A0TEST',
    bot_id: 'B0BOT',
  });
  /** Slack's own checks on a modal: type, a plain_text title of at most 24 characters, at most 100 blocks. */
  const invalidView = (view: unknown): string | undefined => {
    const v = view as Args | undefined;
    if (!v || typeof v !== 'object' || !['modal', 'home'].includes(v.type))
      return '[ERROR] must provide a valid view type [json-pointer:/view/type]';
    if (v.type === 'modal' && (typeof v.title?.text !== 'string' || v.title.text.length > 24))
      return '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]';
    if (!Array.isArray(v.blocks) || v.blocks.length > 100)
      return '[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]';
    return undefined;
  };
  const invalidArguments = (message: string) =>
    fail('invalid_arguments', { response_metadata: { messages: [message] } });
  const textOrBlocks = (a: Args): string | undefined => {
    if (a.text === undefined && a.blocks === undefined && a.attachments === undefined) return 'no_text';
    if (typeof a.text === 'string' && a.text.length > 40_000) return 'msg_too_long';
    if (a.blocks !== undefined && (!Array.isArray(a.blocks) || a.blocks.length > 50)) return 'invalid_blocks';
    return undefined;
  };

  const methods: Record<string, (a: Args) => Reply> = {
    'api.test': (a) => ok({ args: a }),
    'auth.test': () =>
      ok({
        url: 'https://acme-test.slack.com/',
        team: 'Acme Test',
        team_id: TEAM_ID,
        user: 'incident-bot',
        user_id: BOT_USER_ID,
        bot_id: 'B0BOT',
        is_enterprise_install: false,
      }),

    'conversations.create': (a) => {
      if (typeof a.name !== 'string' || !a.name) return fail('invalid_name_required');
      if (!/^[a-z0-9_-]{1,80}$/.test(a.name)) return fail('invalid_name_specials');
      if ([...channels.values()].some((c) => c.name === a.name)) return fail('name_taken');
      return ok({ channel: channelObject(addChannel({ name: a.name, is_private: flag(a.is_private) })) });
    },
    'conversations.setPurpose': (a) => {
      const c = channels.get(a.channel);
      if (!c) return fail('channel_not_found');
      if (String(a.purpose ?? '').length > 250) return fail('too_long');
      c.purpose = String(a.purpose ?? '');
      return ok({ purpose: c.purpose, channel: channelObject(c) });
    },
    'conversations.info': (a) => {
      const c = channels.get(a.channel);
      return c ? ok({ channel: channelObject(c) }) : fail('channel_not_found');
    },
    'conversations.list': (a) => {
      const types = String(a.types ?? 'public_channel').split(',');
      const all = [...channels.values()].filter((c) =>
        types.includes(c.is_private ? 'private_channel' : 'public_channel'),
      );
      const limit = Math.min(Number(a.limit ?? 100) || 100, 1000);
      let offset = 0;
      if (a.cursor) {
        const m = /^offset:(\d+)$/.exec(Buffer.from(String(a.cursor), 'base64').toString());
        if (!m) return fail('invalid_cursor');
        offset = Number(m[1]);
      }
      const page = all.slice(offset, offset + limit);
      const next = offset + limit < all.length ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '';
      return ok({ channels: page.map(channelObject), response_metadata: { next_cursor: next } });
    },
    'conversations.invite': (a) => {
      const c = channels.get(a.channel);
      if (!c) return fail('channel_not_found');
      const users = String(a.users ?? '')
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      if (!users.length) return fail('no_user');
      if (users.every((u) => c.members.has(u)))
        return fail('already_in_channel', {
          errors: users.map((user) => ({ user, ok: false, error: 'already_in_channel' })),
        });
      users.forEach((u) => c.members.add(u));
      return ok({ channel: channelObject(c) });
    },
    'conversations.join': (a) => {
      const c = channels.get(a.channel);
      if (!c) return fail('channel_not_found');
      if (c.is_private) return fail('method_not_supported_for_channel_type');
      const already = c.members.has(BOT_USER_ID);
      c.members.add(BOT_USER_ID);
      return ok({
        channel: channelObject(c),
        ...(already ? { warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } } : {}),
      });
    },

    'conversations.open': (a) => {
      const user = String(a.users ?? '');
      if (!/^[UW][A-Z0-9]{2,}$/.test(user)) return fail('user_not_found');
      const existing = [...channels.values()].find((c) => c.name === `im-${user}`);
      const im =
        existing ?? addChannel({ id: `D${user.slice(1)}`, name: `im-${user}`, members: [user], is_private: true });
      return ok({ channel: { id: im.id, is_im: true, user }, ...(existing ? { already_open: true } : {}) });
    },
    'chat.postMessage': (a) => {
      const c = findChannel(a.channel);
      if (!c) return fail('channel_not_found');
      const invalid = textOrBlocks(a);
      if (invalid) return fail(invalid);
      const ts = nextTs();
      const message: FakeMessage = {
        ts,
        text: a.text,
        blocks: a.blocks,
        ...(a.thread_ts ? { thread_ts: String(a.thread_ts) } : {}),
        pinned: false,
        updates: 0,
      };
      messagesIn(c.id).set(ts, message);
      return ok({
        channel: c.id,
        ts,
        message: {
          type: 'message',
          user: BOT_USER_ID,
          bot_id: 'B0BOT',
          text: a.text ?? '',
          blocks: a.blocks,
          ts,
          ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
        },
      });
    },
    'chat.update': (a) => {
      const c = channels.get(a.channel);
      if (!c) return fail('channel_not_found');
      const message = messagesIn(c.id).get(String(a.ts));
      if (!message) return fail('message_not_found');
      const invalid = textOrBlocks(a);
      if (invalid) return fail(invalid);
      if (a.text !== undefined) message.text = a.text;
      if (a.blocks !== undefined) message.blocks = a.blocks;
      message.updates++;
      return ok({
        channel: c.id,
        ts: message.ts,
        text: message.text ?? '',
        message: { text: message.text ?? '', blocks: message.blocks, ts: message.ts },
      });
    },
    'chat.postEphemeral': (a) => {
      const c = findChannel(a.channel);
      if (!c) return fail('channel_not_found');
      if (!a.user) return fail('user_not_found');
      if (!c.members.has(String(a.user))) return fail('user_not_in_channel');
      const invalid = textOrBlocks(a);
      return invalid ? fail(invalid) : ok({ message_ts: nextTs() });
    },
    'pins.add': (a) => {
      const c = channels.get(a.channel);
      if (!c) return fail('channel_not_found');
      if (!a.timestamp) return fail('no_item_specified');
      const message = messagesIn(c.id).get(String(a.timestamp));
      if (!message) return fail('message_not_found');
      if (message.pinned) return fail('already_pinned');
      message.pinned = true;
      return ok();
    },

    'views.open': (a) => {
      if (!a.trigger_id) return invalidArguments('[ERROR] missing required field: trigger_id');
      const invalid = invalidView(a.view);
      if (invalid) return invalidArguments(invalid);
      const view = viewObject(a.view, id('V', ++counter));
      views.set(view.id, view);
      return ok({ view });
    },
    'views.update': (a) => {
      const old = a.view_id
        ? views.get(a.view_id)
        : [...views.values()].find((v) => a.external_id && v.external_id === a.external_id);
      if (!old) return fail('not_found');
      if (a.hash && a.hash !== old.hash) return fail('hash_conflict');
      const invalid = invalidView(a.view);
      if (invalid) return invalidArguments(invalid);
      const view = viewObject(a.view, old.id);
      views.set(view.id, view);
      return ok({ view });
    },

    'usergroups.list': (a) =>
      ok({ usergroups: [...usergroups.values()].map((g) => groupObject(g, flag(a.include_users))) }),
    'usergroups.users.list': (a) => {
      const group = usergroups.get(a.usergroup);
      return group ? ok({ users: [...group.users] }) : fail('no_such_subteam');
    },
    'users.info': (a) => {
      if (typeof a.user !== 'string' || !a.user) return fail('user_not_found');
      const name = a.user.toLowerCase();
      return ok({
        user: {
          id: a.user,
          team_id: TEAM_ID,
          name,
          real_name: `User ${a.user}`,
          deleted: false,
          is_bot: a.user === BOT_USER_ID,
          profile: { real_name: `User ${a.user}`, display_name: name },
        },
      });
    },
  };

  const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const args = parseBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
    const at = Date.now();
    if (url.pathname.startsWith('/response/')) {
      if (down) return reply(res, 503, { ok: false, error: 'service_unavailable' });
      responses.push({ path: url.pathname, body: args, at });
      return reply(res, 200, { ok: true });
    }
    if (!url.pathname.startsWith('/api/')) return reply(res, 404, { ok: false, error: 'not_found' });

    const method = url.pathname.slice('/api/'.length);
    url.searchParams.forEach((value, key) => (args[key] ??= value));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    for (const key of JSON_ARGS) if (key in args) args[key] = maybeJson(args[key]);
    calls.push({ method, args, ...(token ? { token } : {}), at });

    if (down) return reply(res, 503, { ok: false, error: 'service_unavailable' });
    const failure = failures.get(method)?.shift();
    if (failure && 'status' in failure) {
      return failure.status === 429
        ? reply(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) })
        : reply(res, 500, { ok: false, error: 'internal_error' });
    }
    if (failure) return reply(res, 200, fail(failure.error));
    const handler = methods[method];
    if (!handler) return reply(res, 200, fail('unknown_method'));
    if (token !== botToken) return reply(res, 200, fail(token ? 'invalid_auth' : 'not_authed'));
    try {
      reply(res, 200, handler(args));
    } catch (error) {
      reply(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api/`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext(method, failure, times = 1) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(method, queue);
    },
    setDown(value) {
      down = value;
    },
    addUsergroup(group) {
      usergroups.set(group.id, { ...group, users: [...group.users] });
    },
    addChannel,
    responseUrl: (name = `r${++counter}`) => `${base}/response/${encodeURIComponent(name)}`,
    responses,
    channels,
    messages: (channel) => [...(messages.get(channel)?.values() ?? [])].map((m) => ({ ...m })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A body as Slack reads it: JSON when sent as JSON, else form fields (strings). */
function parseBody(text: string, contentType = ''): Args {
  if (!text) return {};
  if (contentType.startsWith('application/json')) {
    try {
      const parsed = JSON.parse(text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Objects and arrays travel JSON-encoded inside form fields. */
function maybeJson(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
