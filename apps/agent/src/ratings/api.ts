import type { RatingLevel, RatingReason, ServiceId } from '@kiosk/contracts/session-view';

export interface RatingSubmission {
  sessionId: string | null;
  serviceId: ServiceId;
  rating: RatingLevel;
  reasons: RatingReason[];
  /** The card holder's ID number while the session lasts (memory only); hashed at once, never stored. */
  idNumber: string | null;
}

/** What the session (and tools) may ask of the ratings feature (the `ratings` port). */
export interface RatingsApi {
  /** Queues the rating durably (synchronously) and returns its id; delivery follows. */
  submit(s: RatingSubmission): string;
  /** Reports owed to the evaluation platform. */
  pending(): { pending: number; oldestAt: string | null };
}
