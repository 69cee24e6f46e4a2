// A contract fake of a Microsoft Teams Workflows webhook ("When a Teams webhook request is received")
// on 127.0.0.1: the URL carries its credential as `sig`; a message with one Adaptive Card attachment
// (version 1.4: 1.5 does not display through the Workflows post action) is answered 202 Accepted with an
// empty body; anything else 400, a wrong sig 401. Limit 28 KB a message.
import { startJsonFake, type FakeRequest } from './json-fake-server.js';

const ELEMENTS = new Set(['TextBlock', 'FactSet', 'Container', 'ColumnSet', 'Image', 'ActionSet', 'RichTextBlock']);

export interface TeamsFake {
  /** The webhook URL, `sig` included: a credential. */
  url: string;
  sig: string;
  requests: FakeRequest[];
  /** Cards accepted (202), in order. */
  cards: any[];
  /** Why each refused request was refused. */
  refusals: string[];
  failNext(status: number, times?: number): void;
  stop(): Promise<void>;
}

export function adaptiveCardProblem(body: any): string | undefined {
  if (JSON.stringify(body ?? '').length > 28_000) return 'message over 28 KB';
  if (body?.type !== 'message') return 'type must be "message"';
  const attachments = body.attachments;
  if (!Array.isArray(attachments) || attachments.length !== 1) return 'one attachment expected';
  const [attachment] = attachments;
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') return 'not an Adaptive Card';
  const card = attachment.content;
  if (card?.type !== 'AdaptiveCard') return 'content.type must be AdaptiveCard';
  if (card.version !== '1.4') return `card version ${card.version}: Workflows display 1.4`;
  if (!Array.isArray(card.body) || card.body.length === 0) return 'card body must be a non-empty array';
  for (const element of card.body) {
    if (!ELEMENTS.has(element?.type)) return `unknown element ${element?.type}`;
    if (element.type === 'TextBlock' && typeof element.text !== 'string') return 'TextBlock without text';
    if (
      element.type === 'FactSet' &&
      !element.facts?.every((f: any) => typeof f.title === 'string' && typeof f.value === 'string')
    )
      return 'FactSet facts need a title and a value';
  }
  if ((card.actions ?? []).some((a: any) => a.type === 'Action.Submit')) return 'Action.Submit is not supported';
  return undefined;
}

export async function startTeamsFake(): Promise<TeamsFake> {
  const sig = 'Zq3v9LrT2xKp7WmN4bYc8HdJ6fGs1aEu0oRiVnQwXyA';
  const cards: any[] = [];
  const refusals: string[] = [];
  const failures: number[] = [];
  const path = '/workflows/6c0e7a1f2b3d4e5f/triggers/manual/paths/invoke';
  const fake = await startJsonFake(() => ({ status: 500, body: '' }), {
    takeOver: (request, res) => {
      const status = (() => {
        if (request.url.pathname !== path || request.method !== 'POST') return 404;
        if (request.url.searchParams.get('sig') !== sig) return 401;
        const failure = failures.shift();
        if (failure !== undefined) return failure;
        const problem = adaptiveCardProblem(request.body);
        if (problem) {
          refusals.push(problem);
          return 400;
        }
        cards.push(request.body.attachments[0].content);
        return 202;
      })();
      res.writeHead(status, status === 202 ? { 'content-length': '0' } : {});
      res.end();
      return true;
    },
  });
  return {
    url: `${fake.url}${path}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`,
    sig,
    requests: fake.requests,
    cards,
    refusals,
    failNext: (status, times = 1) => failures.push(...Array<number>(times).fill(status)),
    stop: fake.stop,
  };
}
