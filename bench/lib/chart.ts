/** A small SVG line chart (two series on two y axes over time), so the report needs no plotting library. */
export interface Series {
  label: string;
  unit: string;
  color: string;
  points: { x: number; y: number }[];
}

const escapeXml = (text: string) => text.replace(/[<>&"]/g, (char) => `&#${char.charCodeAt(0)};`);

export function lineChart(title: string, xLabel: string, left: Series, right: Series): string {
  const [width, height, pad] = [900, 360, 60];
  const xs = [...left.points, ...right.points].map((point) => point.x);
  const [xMin, xMax] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const scaleX = (x: number) => pad + ((x - xMin) / (xMax - xMin || 1)) * (width - 2 * pad);
  const axis = (series: Series, side: 'left' | 'right') => {
    const max = Math.max(...series.points.map((point) => point.y), 1) * 1.1;
    const scaleY = (y: number) => height - pad - (y / max) * (height - 2 * pad);
    const path = series.points
      .map((point, index) => `${index === 0 ? 'M' : 'L'}${scaleX(point.x).toFixed(1)},${scaleY(point.y).toFixed(1)}`)
      .join(' ');
    const x = side === 'left' ? pad : width - pad;
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) => {
      const value = max * fraction;
      return `<text x="${side === 'left' ? x - 6 : x + 6}" y="${scaleY(value) + 4}" text-anchor="${side === 'left' ? 'end' : 'start'}" font-size="11" fill="${series.color}">${value >= 100 ? value.toFixed(0) : value.toFixed(1)}</text>`;
    });
    return [
      `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"/>`,
      ...ticks,
      `<text x="${x}" y="${pad - 14}" text-anchor="${side === 'left' ? 'start' : 'end'}" font-size="12" fill="${series.color}">${escapeXml(`${series.label} (${series.unit})`)}</text>`,
    ].join('\n');
  };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    `<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#888"/>`,
    `<text x="${width / 2}" y="${height - 18}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`,
    ...[0, 0.25, 0.5, 0.75, 1].map((fraction) => {
      const x = xMin + (xMax - xMin) * fraction;
      return `<text x="${scaleX(x)}" y="${height - pad + 16}" text-anchor="middle" font-size="11">${x.toFixed(0)}</text>`;
    }),
    axis(left, 'left'),
    axis(right, 'right'),
    '</svg>',
  ].join('\n');
}
