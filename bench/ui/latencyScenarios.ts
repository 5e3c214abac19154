/**
 * The sidebar latency bench's scoring (bench/sidebarLatency.ts): from what the probes recorded in the
 * webviews (probe.ts), each input's latency to its census on screen, per scenario (steps, a drag,
 * the projection's colours), summarised against the target.
 */
import { quantile, summarize, type Summary } from './stats';
import type { ProbeLog, RenderRecord, ShownRecord } from './probe';

/** The goal: input → its census on screen. */
export const TARGET_MS = 100;
export const sameMargin = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));

/** Latency of one input: to the first census at its margin on screen, and to the full recount. */
export interface Matched {
  input: number;
  first?: RenderRecord;
  full?: RenderRecord;
}

/** For each input, the first render (and first non-partial render) at its margin after it. */
export function matchInputs(p: ProbeLog): Matched[] {
  return p.inputs.map((inp, i) => {
    const after = p.renders.filter((r) => r.tRendered >= inp.t && sameMargin(r.margin, inp.margin));
    return { input: i, first: after[0], full: after.find((r) => !r.partial) };
  });
}

export interface ScenarioResult {
  name: string;
  summary: Summary;
  extra: Record<string, number | string>;
}

/**
 * Where the time of shown censuses went (medians, ms): `render` in the webview (lastUpdateMs),
 * `paint` wait (render done → next animation frame), and `relay` = the rest of input → screen
 * minus host+engine elapsed: webview → code-server → extension host and back, and queueing.
 */
export function breakdown(items: { lat: number; r: RenderRecord }[]): Record<string, number> {
  const med = (xs: number[]) => Math.round(quantile(xs, 0.5) * 10) / 10;
  return {
    renderMs: med(items.map((x) => x.r.renderMs ?? NaN).filter(Number.isFinite)),
    paintMs: med(items.map((x) => x.r.tScreen! - x.r.tRendered)),
    relayMs: med(items.map((x) => x.lat - x.r.elapsedMs - (x.r.renderMs ?? 0) - (x.r.tScreen! - x.r.tRendered))),
  };
}

export function stepScenario(p: ProbeLog): ScenarioResult[] {
  const m = matchInputs(p);
  const first = m.filter((x) => x.first?.tScreen !== undefined);
  const full = m.filter((x) => x.full?.tScreen !== undefined);
  const lat = (x: Matched, r: RenderRecord | undefined) => r!.tScreen! - p.inputs[x.input].t;
  return [
    {
      name: 'step (first census)',
      summary: summarize(
        first.map((x) => lat(x, x.first)),
        first.map((x) => x.first!.elapsedMs),
        TARGET_MS,
      ),
      extra: {
        inputs: p.inputs.length,
        missed: m.length - first.length,
        partial: first.filter((x) => x.first!.partial).length,
        fromTable: first.filter((x) => x.first!.fromTable).length,
        local: first.filter((x) => x.first!.local).length,
        ...breakdown(first.map((x) => ({ lat: lat(x, x.first), r: x.first! }))),
      },
    },
    {
      name: 'step (full recount)',
      summary: summarize(
        full.map((x) => lat(x, x.full)),
        full.map((x) => x.full!.elapsedMs),
        TARGET_MS,
      ),
      extra: { inputs: p.inputs.length, missed: m.length - full.length },
    },
  ];
}

export function dragScenario(p: ProbeLog): ScenarioResult[] {
  // Each census shown once per margin (the first time): latency from the input that produced it.
  const seen = new Set<string>();
  const shown: { lat: number; r: RenderRecord }[] = [];
  for (const r of p.renders) {
    const key = r.margin.toPrecision(12);
    const producer = [...p.inputs].reverse().find((x) => sameMargin(x.margin, r.margin) && x.t <= r.tRendered);
    if (!producer || r.tScreen === undefined || seen.has(key)) continue;
    seen.add(key);
    shown.push({ lat: r.tScreen - producer.t, r });
  }
  const last = p.inputs[p.inputs.length - 1];
  const atFinal = p.renders.filter((r) => r.tRendered >= last.t && sameMargin(r.margin, last.margin));
  const settle = atFinal[0]?.tScreen !== undefined ? atFinal[0].tScreen - last.t : NaN;
  const fullR = atFinal.find((r) => !r.partial);
  const settleFull = fullR?.tScreen !== undefined ? fullR.tScreen - last.t : NaN;
  const span = last.t - p.inputs[0].t;
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return [
    {
      name: 'drag (censuses shown)',
      summary: summarize(
        shown.map((s) => s.lat),
        shown.map((s) => s.r.elapsedMs),
        TARGET_MS,
      ),
      extra: {
        inputs: p.inputs.length,
        distinctMargins: new Set(p.inputs.map((x) => x.margin)).size,
        inputSpanMs: r1(span),
        renders: p.renders.length,
        fullMidDrag: p.renders.filter((r) => !r.partial && !sameMargin(r.margin, last.margin)).length,
        fromTable: shown.filter((s) => s.r.fromTable).length,
        local: shown.filter((s) => s.r.local).length,
        ...breakdown(shown),
      },
    },
    {
      name: 'drag settle (last input)',
      summary: summarize(Number.isFinite(settle) ? [settle] : [], atFinal[0] ? [atFinal[0].elapsedMs] : [], TARGET_MS),
      extra: { settleFullMs: r1(settleFull), fullElapsedMs: fullR?.elapsedMs ?? NaN },
    },
  ];
}

/** What one scenario recorded: the sidebar's probe, and the projection's colours in the same clock. */
export interface ScenarioLog {
  p: ProbeLog;
  shown: ShownRecord[];
}

/**
 * The projection's colours: for each census it drew (once per margin), on screen − the input that
 * produced that margin; and the last input → its margin drawn (quick, then full).
 */
export function projectionScenario(name: string, { p, shown }: ScenarioLog): ScenarioResult[] {
  const seen = new Set<string>();
  const lat: number[] = [];
  for (const r of shown) {
    const key = r.margin.toPrecision(12);
    const producer = [...p.inputs].reverse().find((x) => sameMargin(x.margin, r.margin) && x.t <= r.tShown);
    if (!producer || r.tScreen === undefined || seen.has(key)) continue;
    seen.add(key);
    lat.push(r.tScreen - producer.t);
  }
  const last = p.inputs[p.inputs.length - 1];
  const atFinal = shown.find((r) => r.tShown >= last.t && sameMargin(r.margin, last.margin) && r.tScreen !== undefined);
  return [
    {
      name,
      summary: summarize(lat, [], TARGET_MS),
      extra: {
        inputs: p.inputs.length,
        marginsDrawn: lat.length,
        draws: shown.length,
        lastInputToFinalMs: atFinal ? Math.round(atFinal.tScreen! - last.t) : NaN,
      },
    },
  ];
}
