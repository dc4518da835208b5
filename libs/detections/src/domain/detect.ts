import { Alert, AlertEvent, MAX_ALERT_EVENTS, alertId } from './alert';
import type { CountRule, DetectionEvent, DetectionRule, SequenceRule } from './detection-rules';

/** One remembered event of a person for a rule: time (ms), position, id, type. */
export type Hit = readonly [timeMs: number, position: number, eventId: string, type: string];

export interface RuleState {
  readonly hits: readonly Hit[];
  /** Sequence rules: the `then` events. */
  readonly thens?: readonly Hit[];
  /** Count rules: time of the first event of the last alert's window (its episode). */
  readonly alertedAt?: number;
}

/** What the rules remember of one person: the recent events each rule needs. */
export interface PersonState {
  /** Highest log position applied: a replayed event at or below it changes nothing. */
  readonly through: number;
  readonly rules: Readonly<Record<string, RuleState>>;
}

export const EMPTY_STATE: PersonState = { through: 0, rules: {} };

/** Most events a rule keeps per person (a burst of thousands needs only the newest). */
export const MAX_HITS = 256;

/**
 * Applies one event to the states of the people it names and returns the alerts it
 * completes (pure). Events are applied in log order; one at or below a person's `through`
 * was applied before (a batch replayed after a crash) and is skipped for that person, so
 * replays change neither state nor alerts. Windows use `occurredAt`, so events that arrive
 * out of order still count where they happened.
 */
export function detect(
  rules: readonly DetectionRule[],
  event: DetectionEvent,
  states: Map<string, PersonState>,
): Alert[] {
  const alerts: Alert[] = [];
  const people = new Set([event.actor, event.target].filter((s): s is string => !!s));
  for (const subjectId of people) {
    const before = states.get(subjectId) ?? EMPTY_STATE;
    if (event.position <= before.through) continue;
    const next: Record<string, RuleState> = { ...before.rules };
    for (const rule of rules) {
      if (event[rule.person] !== subjectId) continue;
      const prior = next[rule.name] ?? { hits: [] };
      const out =
        rule.kind === 'count'
          ? applyCount(rule, event, subjectId, prior)
          : applySequence(rule, event, subjectId, prior);
      if (out === null) continue;
      next[rule.name] = out.state;
      if (out.alert) alerts.push(out.alert);
    }
    states.set(subjectId, { through: event.position, rules: next });
  }
  return alerts;
}

const hitOf = (e: DetectionEvent): Hit => [e.occurredAtMs, e.position, e.eventId, e.type];

/** Inserted in time order (then position), kept within the window of the newest, capped. */
function remember(hits: readonly Hit[], hit: Hit, windowMs: number): Hit[] {
  const out = [...hits];
  let i = out.length;
  while (i > 0 && (out[i - 1][0] > hit[0] || (out[i - 1][0] === hit[0] && out[i - 1][1] > hit[1])))
    i--;
  out.splice(i, 0, hit);
  const newest = out[out.length - 1][0];
  const kept = out.filter((h) => h[0] > newest - windowMs);
  return kept.length > MAX_HITS ? kept.slice(kept.length - MAX_HITS) : kept;
}

const eventOf = (h: Hit): AlertEvent => ({ uid: h[2], type: h[3], position: h[1], timeMs: h[0] });

function applyCount(
  rule: CountRule,
  e: DetectionEvent,
  subjectId: string,
  prior: RuleState,
): { state: RuleState; alert?: Alert } | null {
  if (!rule.matches(e)) return null;
  const hits = remember(prior.hits, hitOf(e), rule.withinMs);
  const state: RuleState = { ...prior, hits };
  // The report's windows start at one of the person's events: [s, s + window). Of those
  // holding this event, the earliest with more than the threshold.
  for (const s of hits) {
    if (s[0] > e.occurredAtMs) break;
    if (e.occurredAtMs >= s[0] + rule.withinMs) continue;
    const inWindow = hits.filter((h) => h[0] >= s[0] && h[0] < s[0] + rule.withinMs);
    if (inWindow.length <= rule.moreThan) continue;
    // Still the burst already alerted on: one alert per episode.
    if (prior.alertedAt !== undefined && Math.abs(s[0] - prior.alertedAt) < rule.withinMs)
      return { state };
    const alert = makeAlert(rule, e, subjectId, s[2], inWindow, rule.moreThan);
    return { state: { ...state, alertedAt: s[0] }, alert };
  }
  return { state };
}

function applySequence(
  rule: SequenceRule,
  e: DetectionEvent,
  subjectId: string,
  prior: RuleState,
): { state: RuleState; alert?: Alert } | null {
  const isFirst = rule.first(e);
  const isThen = rule.then(e);
  if (!isFirst && !isThen) return null;
  const hits = isFirst ? remember(prior.hits, hitOf(e), rule.withinMs) : [...prior.hits];
  const thens = isThen
    ? remember(prior.thens ?? [], hitOf(e), rule.withinMs)
    : [...(prior.thens ?? [])];
  const state: RuleState = { hits, thens };
  const within = (first: Hit, then: Hit) =>
    then[0] >= first[0] && then[0] - first[0] <= rule.withinMs && then[1] !== first[1];
  let pair: [Hit, Hit] | undefined;
  if (isThen) {
    // The latest reset before this change, within the window.
    const me = hitOf(e);
    const first = [...hits].reverse().find((f) => within(f, me));
    if (first) pair = [first, me];
  }
  if (!pair && isFirst) {
    const me = hitOf(e);
    const then = thens.find((t) => within(me, t));
    if (then) pair = [me, then];
  }
  if (!pair) return { state };
  // Anchored to the reset: more changes after the same reset are the same alert.
  return { state, alert: makeAlert(rule, e, subjectId, pair[0][2], pair, 1) };
}

function makeAlert(
  rule: DetectionRule,
  e: DetectionEvent,
  subjectId: string,
  anchor: string,
  hits: readonly Hit[],
  threshold: number,
): Alert {
  const times = hits.map((h) => h[0]);
  return {
    id: alertId(e.tenantId, rule.name, subjectId, anchor),
    tenantId: e.tenantId,
    rule: rule.name,
    subjectId,
    severityId: rule.severityId,
    title: rule.title,
    description:
      rule.kind === 'count'
        ? `${hits.length} events of rule ${rule.name} for one person within ${rule.withinMs / 60_000} minutes (more than ${rule.moreThan})`
        : `a password reset and an MFA method change within ${rule.withinMs / 60_000} minutes`,
    count: hits.length,
    threshold,
    windowMs: rule.withinMs,
    firstSeenMs: Math.min(...times),
    lastSeenMs: Math.max(...times),
    detectedAtMs: e.recordedAtMs,
    position: e.position,
    events: hits.slice(0, MAX_ALERT_EVENTS).map(eventOf),
  };
}
