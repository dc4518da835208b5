/** Injected time source, so tests are deterministic. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('Clock');

export const systemClock: Clock = { now: () => new Date() };

/** Injected id source (UUID v4 by default). */
export interface IdSource {
  uuid(): string;
}
export const ID_SOURCE = Symbol('IdSource');
