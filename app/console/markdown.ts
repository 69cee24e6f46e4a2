// The postmortem draft's Markdown as DOM nodes: headings, lists, tables, paragraphs, bold, code and
// links (http(s) only). Built with text nodes throughout, so nothing in a draft can inject markup.
import { h } from './dom.js';

export function renderMarkdown(markdown: string): HTMLElement {
  const root = h('div', { class: 'markdown' });
  const lines = markdown.replace(/\r\n/g, '\n').split('\n');
  let list: HTMLUListElement | undefined;
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) root.appendChild(h('p', {}, ...inline(paragraph.join(' '))));
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      list = undefined;
      root.appendChild(h(`h${Math.min(heading[1]!.length + 1, 5)}` as 'h2', {}, ...inline(heading[2]!)));
    } else if (item) {
      flush();
      list ??= root.appendChild(h('ul'));
      list.appendChild(h('li', {}, ...inline(item[1]!)));
    } else if (/^\|.*\|$/.test(line.trim())) {
      flush();
      list = undefined;
      const rows: string[][] = [];
      for (; i < lines.length && /^\|.*\|$/.test(lines[i]!.trim()); i++) {
        if (/^\|[\s:|-]+\|$/.test(lines[i]!.trim())) continue; // the header separator
        rows.push(
          lines[i]!.trim()
            .slice(1, -1)
            .split('|')
            .map((cell) => cell.trim()),
        );
      }
      i--;
      const [head, ...body] = rows;
      root.appendChild(
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...(head ?? []).map((c) => h('th', {}, ...inline(c))))),
          h('tbody', {}, ...body.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, ...inline(c)))))),
        ),
      );
    } else if (line.trim() === '') {
      flush();
      list = undefined;
    } else {
      list = undefined;
      paragraph.push(line.trim());
    }
  }
  flush();
  return root;
}

function inline(text: string): (Node | string)[] {
  const parts: (Node | string)[] = [];
  const pattern = /(\*\*([^*]+)\*\*|`([^`]+)`|\[([^\]]+)\]\((https?:\/\/[^)\s]+)\))/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parts.push(text.slice(last, match.index));
    if (match[2] !== undefined) parts.push(h('strong', {}, match[2]));
    else if (match[3] !== undefined) parts.push(h('code', {}, match[3]));
    else parts.push(h('a', { href: match[5], rel: 'noopener noreferrer', target: '_blank' }, match[4]));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}
