/**
 * The scenarios: every boundary of each engine × every disturbance × its timings (the full run), or the bounded
 * slice — every disturbance at least once per engine and every boundary at least once, rotated by the seed.
 */
import type { Engine } from '../../../src/domain/types.ts';
import { type Boundary, boundariesOf, ENGINE_ORDER } from './boundaries.ts';
import { ALL_DISTURBANCES, type Disturbance, type Timing, timingsOf } from './disturbances.ts';

export interface ScenarioSpec {
  boundary: Boundary;
  disturbance: Disturbance;
  timing: Timing;
}

export const labelOf = (spec: ScenarioSpec): string => `${spec.boundary.engine}/${spec.boundary.point}/${spec.timing}/${spec.disturbance}`;

export function fullCatalog(engines: readonly Engine[] = ENGINE_ORDER): ScenarioSpec[] {
  return engines.flatMap((engine) =>
    boundariesOf(engine).flatMap((boundary) =>
      ALL_DISTURBANCES.flatMap((disturbance) => timingsOf(disturbance).map((timing) => ({ boundary, disturbance, timing }))),
    ),
  );
}

/** Per engine: each disturbance once, at boundaries and timings rotated by the seed; then any boundary left out. */
export function sliceCatalog(engines: readonly Engine[] = ENGINE_ORDER, seed = 0): ScenarioSpec[] {
  return engines.flatMap((engine) => {
    const boundaries = boundariesOf(engine);
    const specs = ALL_DISTURBANCES.map((disturbance, index): ScenarioSpec => {
      const boundary = boundaries[(index + seed) % boundaries.length] as Boundary;
      const timings = timingsOf(disturbance);
      return { boundary, disturbance, timing: timings[(index + seed) % timings.length] as Timing };
    });
    const covered = new Set(specs.map((spec) => spec.boundary.point));
    for (const [index, boundary] of boundaries.entries()) {
      if (covered.has(boundary.point)) continue;
      const disturbance = ALL_DISTURBANCES[(index + seed) % ALL_DISTURBANCES.length] as Disturbance;
      specs.push({ boundary, disturbance, timing: timingsOf(disturbance)[0] as Timing });
    }
    return specs;
  });
}
