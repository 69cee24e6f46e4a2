// The KPI dashboard: time to mitigate per severity against its target, corrective actions closed on
// time by month against 85 %, open and overdue actions, and repeat incidents. Chart.js, served locally.
import { api, type ConsoleConfig, type Kpis } from './api.js';
import { h, replaceChildren } from './dom.js';

/** Chart.js, loaded by index.html from /console/chart.umd.min.js. */
declare const Chart: new (canvas: HTMLCanvasElement, config: unknown) => { destroy(): void };

const HOUR = 3_600_000;
const SEVERITY_COLORS: Record<string, string> = { P0: '#b91c1c', P1: '#ea580c', P2: '#ca8a04', P3: '#2563eb' };

export async function kpisPage(root: HTMLElement, config: ConsoleConfig): Promise<() => void> {
  const charts: { destroy(): void }[] = [];
  const body = h('div');
  const since = h(
    'select',
    { name: 'since', 'aria-label': 'Window', onchange: () => void load() },
    ...['30d', '90d', '180d', '365d'].map((w) => h('option', { value: w, selected: w === '90d' }, `last ${w}`)),
  );
  replaceChildren(root, h('h1', {}, 'KPIs'), h('div', { class: 'filters' }, since), body);

  async function load() {
    const kpis = await api.kpis(since.value);
    charts.splice(0).forEach((c) => c.destroy());
    const canvas = (id: string) => h('canvas', { id, role: 'img' });
    const mitigation = canvas('chart-mitigation');
    const closure = canvas('chart-closure');
    const actions = canvas('chart-actions');
    replaceChildren(
      body,
      h(
        'section',
        {},
        h('h2', {}, 'Time to mitigate, by severity, against the target'),
        h('div', { class: 'chart' }, mitigation),
      ),
      h(
        'section',
        {},
        h(
          'h2',
          {},
          `Corrective actions closed on time, by month due (target ${Math.round(kpis.actions.target * 100)} %)`,
        ),
        h('div', { class: 'chart' }, closure),
      ),
      h(
        'section',
        { class: 'two' },
        h('div', {}, h('h2', {}, 'Corrective actions now'), h('div', { class: 'chart small' }, actions)),
        h(
          'div',
          {},
          h('h2', {}, 'Repeat incidents'),
          h('p', { class: 'big', id: 'repeat-count' }, String(kpis.repeats.count)),
          h(
            'ul',
            {},
            ...kpis.repeats.incidents.map((r) =>
              h('li', {}, h('a', { href: `#/incidents/${r.id}` }, r.id), ` repeats ${r.repeatOf}`),
            ),
          ),
        ),
      ),
    );
    charts.push(mitigationChart(mitigation, kpis, config), closureChart(closure, kpis), actionsChart(actions, kpis));
  }

  await load();
  return () => charts.forEach((c) => c.destroy());
}

function mitigationChart(canvas: HTMLCanvasElement, kpis: Kpis, config: ConsoleConfig) {
  const points = kpis.series.mitigations;
  const from = Date.parse(kpis.window.since);
  const to = Date.parse(kpis.window.until);
  const datasets = config.severities.flatMap((severity) => {
    const mine = points.filter((p) => p.severity === severity);
    if (!mine.length) return [];
    const target = mine.at(-1)!.targetMs;
    return [
      {
        type: 'scatter',
        label: `${severity} time to mitigate (h)`,
        data: mine.map((p) => ({ x: Date.parse(p.declaredAt), y: p.mitigateMs / HOUR })),
        backgroundColor: SEVERITY_COLORS[severity],
        pointRadius: 5,
      },
      ...(target !== null
        ? [
            {
              type: 'line',
              label: `${severity} target (${target / HOUR} h)`,
              data: [
                { x: from, y: target / HOUR },
                { x: to, y: target / HOUR },
              ],
              borderColor: SEVERITY_COLORS[severity],
              borderDash: [6, 4],
              pointRadius: 0,
            },
          ]
        : []),
    ];
  });
  return new Chart(canvas, {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'linear',
          min: from,
          max: to,
          ticks: { callback: (v: number) => new Date(v).toISOString().slice(0, 10) },
        },
        y: { beginAtZero: true, title: { display: true, text: 'hours' } },
      },
    },
  });
}

function closureChart(canvas: HTMLCanvasElement, kpis: Kpis) {
  const months = kpis.series.actionsByMonth;
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: months.map((m) => m.month),
      datasets: [
        {
          type: 'bar',
          label: 'closed on time (%)',
          data: months.map((m) => (m.onTimeRate === null ? null : Math.round(m.onTimeRate * 100))),
          backgroundColor: '#16a34a',
        },
        {
          type: 'line',
          label: `target (${Math.round(kpis.actions.target * 100)} %)`,
          data: months.map(() => kpis.actions.target * 100),
          borderColor: '#111827',
          borderDash: [6, 4],
          pointRadius: months.length === 1 ? 4 : 0,
        },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } },
  });
}

function actionsChart(canvas: HTMLCanvasElement, kpis: Kpis) {
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: ['open', 'overdue'],
      datasets: [
        {
          label: 'corrective actions',
          data: [kpis.actions.open, kpis.actions.overdue],
          backgroundColor: ['#2563eb', '#b91c1c'],
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
