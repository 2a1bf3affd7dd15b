/**
 * Every job the worker runs, one file per job. Add yours to the list
 * (and nowhere else): `createAgenda` defines them all and schedules the
 * recurring ones once per database.
 */
import type { AnyJobDefinition } from './agenda.js';
import { autoFollowUps } from './auto-follow-ups.js';
import { cleanup } from './cleanup.js';
import { followUpReminders } from './follow-up-reminders.js';
import { segmentRecompute } from './segment-recompute.js';
import { totalsSnapshot } from './totals-snapshot.js';
import { weeklyDigest } from './weekly-digest.js';
import { promotionSend } from './promotion-send.js';
import { waitingAlerts } from './waiting-alerts.js';

export const jobDefinitions: readonly AnyJobDefinition[] = [
  followUpReminders,
  autoFollowUps,
  totalsSnapshot,
  weeklyDigest,
  segmentRecompute,
  cleanup,
  promotionSend,
  waitingAlerts,
];
