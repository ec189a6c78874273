import { FailedPreconditionError } from '@streamplane/platform/errors';

export interface Rendition {
  codec: string;
  width: number;
  height: number;
  bitrateKbps: number;
  hdr: boolean;
}

export interface PlanAllowance {
  planId: string;
  maxResolutionHeight: number;
  hdrAllowed: boolean;
}

export interface DeviceCapabilities {
  /** 0: no device limit. */
  maxHeight: number;
  supportsHdr: boolean;
  /** Empty: h264 only. */
  codecs: readonly string[];
}

/**
 * The renditions a session may stream: the title's ladder cut by what the plan pays for (height, HDR)
 * and what the device can show and decode, ascending bitrate so players start low and climb.
 */
export function selectRenditions(
  ladder: readonly Rendition[],
  plan: PlanAllowance,
  device: DeviceCapabilities,
): Rendition[] {
  const maxHeight =
    device.maxHeight > 0 ? Math.min(device.maxHeight, plan.maxResolutionHeight) : plan.maxResolutionHeight;
  const hdrAllowed = plan.hdrAllowed && device.supportsHdr;
  const codecs = new Set((device.codecs.length > 0 ? device.codecs : ['h264']).map((codec) => codec.toLowerCase()));
  const selected = ladder
    .filter(
      (rendition) => rendition.height <= maxHeight && (hdrAllowed || !rendition.hdr) && codecs.has(rendition.codec),
    )
    .sort((a, b) => a.bitrateKbps - b.bitrateKbps || a.height - b.height);
  if (selected.length === 0) {
    throw new FailedPreconditionError(
      `no rendition of this title fits the ${plan.planId} plan (up to ${plan.maxResolutionHeight}p) and the device (codecs ${[...codecs].join(', ')})`,
    );
  }
  return selected;
}
