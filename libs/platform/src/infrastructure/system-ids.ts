import { randomUUID } from 'node:crypto';
import { IdSource } from '../domain/clock.port';

export const randomIds: IdSource = { uuid: () => randomUUID() };
