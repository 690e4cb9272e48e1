/**
 * Bounds what strangers can make central hold in memory before a signature proves who they are.
 * Every signed request reserves its declared length before a byte of its body is read; the sum
 * over all requests still being read is capped, and a claimed kiosk id may have only one large
 * body in flight at a time. Unknown and known kiosk ids are treated exactly alike, so the gate's
 * answers say nothing about which ids exist.
 */
export interface UploadGateLimits {
  /** Sum of declared body lengths being read but not yet verified, over all requests. */
  maxUnverifiedBytes: number;
  /** Bodies above this size count as large: one at a time per claimed kiosk id. */
  largeBodyBytes: number;
}

const defaultUploadGateLimits: UploadGateLimits = {
  maxUnverifiedBytes: 64 * 1024 * 1024,
  largeBodyBytes: 256 * 1024,
};

export class UploadGate {
  private unverified = 0;
  private readonly largeInFlight = new Set<string>();

  constructor(private readonly limits: UploadGateLimits = defaultUploadGateLimits) {}

  /** Reserves room for a body; returns a release function, or null when central must refuse now. */
  acquire(kioskId: string, bytes: number): (() => void) | null {
    const large = bytes > this.limits.largeBodyBytes;
    if (large && this.largeInFlight.has(kioskId)) return null;
    if (this.unverified + bytes > this.limits.maxUnverifiedBytes) return null;
    this.unverified += bytes;
    if (large) this.largeInFlight.add(kioskId);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.unverified -= bytes;
      if (large) this.largeInFlight.delete(kioskId);
    };
  }

  /** Bytes reserved right now (for tests and metrics). */
  reservedBytes(): number {
    return this.unverified;
  }
}
