// Hand-written SVG charts for BENCHMARKS.md: throughput bars per concurrency
// (median with a min–max whisker) and the memory curve.

import type { Spread } from "./stats.ts";

const FONT = `font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif"`;

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** A round axis maximum and tick step for values up to `max`. */
function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 1 };
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

function thousands(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

export interface BarRow {
  label: string;
  color: string;
  spread?: Spread;
}

export interface BarPanel {
  title: string;
  rows: BarRow[];
}

/** Horizontal bars, one panel per concurrency, sharing one x scale. */
export function throughputSvg(panels: BarPanel[], title: string): string {
  const width = 820;
  const labelWidth = 210;
  const valueWidth = 70;
  const plotWidth = width - labelWidth - valueWidth - 20;
  const barHeight = 16;
  const gap = 5;
  const panelHeader = 26;
  const max = Math.max(
    1,
    ...panels.flatMap((p) => p.rows.map((r) => r.spread?.max ?? 0)),
  );
  const { top, step } = niceScale(max);
  const x = (value: number) => labelWidth + (value / top) * plotWidth;
  const parts: string[] = [];
  let y = 44;
  for (const panel of panels) {
    parts.push(
      `<text x="10" y="${y + 16}" font-size="14" font-weight="600">${esc(panel.title)}</text>`,
    );
    y += panelHeader;
    const bodyTop = y;
    for (const row of panel.rows) {
      parts.push(
        `<text x="${labelWidth - 8}" y="${y + barHeight - 4}" font-size="12" text-anchor="end">${
          esc(row.label)
        }</text>`,
      );
      const s = row.spread;
      if (s && Number.isFinite(s.median)) {
        parts.push(
          `<rect x="${labelWidth}" y="${y}" width="${
            Math.max(0.5, x(s.median) - labelWidth).toFixed(1)
          }" height="${barHeight}" fill="${row.color}"/>`,
        );
        const mid = y + barHeight / 2;
        parts.push(
          `<line x1="${x(s.min).toFixed(1)}" x2="${
            x(s.max).toFixed(1)
          }" y1="${mid}" y2="${mid}" stroke="#24292f" stroke-width="1.2"/>`,
          `<line x1="${x(s.min).toFixed(1)}" x2="${x(s.min).toFixed(1)}" y1="${mid - 4}" y2="${
            mid + 4
          }" stroke="#24292f" stroke-width="1.2"/>`,
          `<line x1="${x(s.max).toFixed(1)}" x2="${x(s.max).toFixed(1)}" y1="${mid - 4}" y2="${
            mid + 4
          }" stroke="#24292f" stroke-width="1.2"/>`,
          `<text x="${(x(s.max) + 6).toFixed(1)}" y="${
            y + barHeight - 4
          }" font-size="11" fill="#57606a">${thousands(s.median)}</text>`,
        );
      } else {
        parts.push(
          `<text x="${labelWidth + 4}" y="${
            y + barHeight - 4
          }" font-size="11" fill="#57606a">not measured</text>`,
        );
      }
      y += barHeight + gap;
    }
    // Grid lines and tick labels under each panel.
    for (let v = 0; v <= top + 1e-9; v += step) {
      parts.unshift(
        `<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${
          bodyTop - 2
        }" y2="${y}" stroke="#d0d7de" stroke-width="1"/>`,
      );
      parts.push(
        `<text x="${x(v).toFixed(1)}" y="${
          y + 12
        }" font-size="10" text-anchor="middle" fill="#57606a">${thousands(v)}</text>`,
      );
    }
    y += 28;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="24" font-size="16" font-weight="700">${esc(title)}</text>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}

export interface Series {
  label: string;
  color: string;
  points: { x: number; y: number }[];
}

/** A small line chart (x: publishes, y: MiB). */
export function lineSvg(series: Series[], title: string, xLabel: string, yLabel: string): string {
  const width = 640;
  const height = 300;
  const left = 60;
  const right = 150;
  const topPad = 40;
  const bottom = 45;
  const plotW = width - left - right;
  const plotH = height - topPad - bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xScale = niceScale(Math.max(1, ...xs));
  const yScale = niceScale(Math.max(1, ...ys), 4);
  const px = (v: number) => left + (v / xScale.top) * plotW;
  const py = (v: number) => topPad + plotH - (v / yScale.top) * plotH;
  const parts: string[] = [];
  for (let v = 0; v <= yScale.top + 1e-9; v += yScale.step) {
    parts.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${py(v).toFixed(1)}" y2="${
        py(v).toFixed(1)
      }" stroke="#d0d7de"/>`,
      `<text x="${left - 6}" y="${
        (py(v) + 4).toFixed(1)
      }" font-size="10" text-anchor="end" fill="#57606a">${thousands(v)}</text>`,
    );
  }
  for (let v = 0; v <= xScale.top + 1e-9; v += xScale.step) {
    parts.push(
      `<text x="${px(v).toFixed(1)}" y="${
        topPad + plotH + 14
      }" font-size="10" text-anchor="middle" fill="#57606a">${thousands(v)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const d = s.points.map((p, j) => `${j ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of s.points) {
      parts.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="2.5" fill="${s.color}"/>`,
      );
    }
    const ly = topPad + 10 + i * 18;
    parts.push(
      `<line x1="${left + plotW + 14}" x2="${
        left + plotW + 34
      }" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${left + plotW + 40}" y="${ly + 4}" font-size="11">${esc(s.label)}</text>`,
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="15" font-weight="700">${esc(title)}</text>`,
    `<line x1="${left}" x2="${left}" y1="${topPad}" y2="${topPad + plotH}" stroke="#57606a"/>`,
    `<line x1="${left}" x2="${left + plotW}" y1="${topPad + plotH}" y2="${
      topPad + plotH
    }" stroke="#57606a"/>`,
    ...parts,
    `<text x="${left + plotW / 2}" y="${
      height - 10
    }" font-size="11" text-anchor="middle" fill="#57606a">${esc(xLabel)}</text>`,
    `<text x="14" y="${
      topPad + plotH / 2
    }" font-size="11" text-anchor="middle" fill="#57606a" transform="rotate(-90 14 ${
      topPad + plotH / 2
    })">${esc(yLabel)}</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
