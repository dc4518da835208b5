import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { h, table, type Child } from './dom.mts';

// Only what the console draws: keeps the bundle small.
Chart.register(
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  DoughnutController,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
);

export const PALETTE = [
  '#2563eb',
  '#f59e0b',
  '#10b981',
  '#ef4444',
  '#8b5cf6',
  '#0891b2',
  '#db2777',
  '#65a30d',
];

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
}

export interface ChartSpec {
  readonly kind: 'bar' | 'line' | 'doughnut';
  readonly labels: readonly string[];
  readonly series: readonly Series[];
  readonly stacked?: boolean;
  readonly horizontal?: boolean;
  /** Column heading of the labels in the data table. */
  readonly labelHeading: string;
}

/**
 * A chart and, under it, the same numbers as a table (for screen readers, and so what
 * the chart shows can be read and checked as text).
 */
export function chartWithTable(spec: ChartSpec, id: string): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': `${spec.labelHeading} chart` });
  const box = h('div', { class: spec.kind === 'doughnut' ? 'chart chart-round' : 'chart' }, canvas);
  const empty = spec.labels.length === 0;
  const wrap = h(
    'div',
    { class: 'chart-wrap', 'data-chart': id },
    empty ? h('p', { class: 'muted empty-chart' }, 'Nothing to chart in this window.') : box,
    h(
      'details',
      { class: 'data' },
      h('summary', {}, 'Data'),
      table(
        [spec.labelHeading, ...spec.series.map((s) => s.label)],
        spec.labels.map((l, i): Child[] => [l, ...spec.series.map((s) => s.values[i] ?? 0)]),
        { 'data-table': id },
      ),
    ),
  );
  if (!empty) {
    const config: ChartConfiguration = {
      type: spec.kind,
      data: {
        labels: [...spec.labels],
        datasets: spec.series.map((s, i) => ({
          label: s.label,
          data: [...s.values],
          backgroundColor:
            spec.kind === 'doughnut'
              ? PALETTE.slice(0, s.values.length)
              : PALETTE[i % PALETTE.length],
          borderColor: spec.kind === 'line' ? PALETTE[i % PALETTE.length] : undefined,
          tension: 0.2,
          maxBarThickness: 56,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? 'y' : 'x',
        plugins: {
          legend: {
            display: spec.series.length > 1 || spec.kind === 'doughnut',
            position: 'bottom',
          },
        },
        scales:
          spec.kind === 'doughnut'
            ? {}
            : {
                x: { stacked: spec.stacked ?? false, ticks: { precision: 0 } },
                y: { stacked: spec.stacked ?? false, ticks: { precision: 0 }, beginAtZero: true },
              },
      },
    };
    // Drawn once the canvas is in the document (Chart.js measures its parent).
    requestAnimationFrame(() => new Chart(canvas, config));
  }
  return wrap;
}
