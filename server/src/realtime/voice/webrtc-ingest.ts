import { OpusDecoder } from 'opus-decoder';
import { RTCDtlsTransport, RTCPeerConnection, useOPUS, type RTCCertificate, type RtpPacket } from 'werift';
import { VOICE_INPUT_SAMPLE_RATE } from './messages.js';

/** Why an offer was refused; the message is shown to the client as is. */
export class BadOfferError extends Error {}

export interface IngestStats {
  packets: number;
  /** Packets missing from the sequence (gaps in RTP sequence numbers). */
  lost: number;
  decodeErrors: number;
}

/** What a peer connection needs from the hub: the shared DTLS certificate, local ICE options. */
export interface RtcOptions {
  certificate: RTCCertificate;
  /** Extra host addresses to offer as ICE candidates (e.g. 127.0.0.1 for same-host tests). */
  iceAdditionalHostAddresses?: string[];
}

const MAX_SDP_CHARS = 20_000;
const GATHER_TIMEOUT_MS = 2_000;
/** A gap in RTP timestamps longer than this is filled with at most this much silence. */
const MAX_FILL_MS = 500;

/** Creates the DTLS certificate once per process (else werift makes one per connection, ~0.9 s). */
export function setupCertificate(): Promise<RTCCertificate> {
  return RTCDtlsTransport.SetupCertificate();
}

/** Decodes one Opus packet to 16 kHz so the first real one does not pay the WASM start-up. */
export async function warmUpOpus(): Promise<void> {
  const decoder = new OpusDecoder({ sampleRate: VOICE_INPUT_SAMPLE_RATE, channels: 1 });
  await decoder.ready;
  decoder.decodeFrame(new Uint8Array([0xf8, 0xff, 0xfe])); // a 20 ms CELT silence frame
  decoder.free();
}

/**
 * The mic over WebRTC: one werift peer connection receiving Chrome's Opus track, decoded to
 * 16 kHz mono Int16. Opus only (Chrome also offers RED, which would need unwrapping), no ICE
 * servers: the gateway must be reachable directly (or through a TURN the client picks).
 */
export class WebRtcIngest {
  readonly stats: IngestStats = { packets: 0, lost: 0, decodeErrors: 0 };
  private pc: RTCPeerConnection | undefined;
  private decoder: OpusDecoder<16000> | undefined;
  private last: { seq: number; ts: number } | undefined;
  private closed = false;

  constructor(
    private readonly options: RtcOptions,
    private readonly onPcm: (pcm: Int16Array, arrivedAt: number) => void,
    private readonly onState: (state: string) => void = () => {},
  ) {}

  /** Applies an offer and returns the answer with every local candidate in it (no trickle). */
  async answer(offer: string): Promise<string> {
    if (typeof offer !== 'string' || !offer.startsWith('v=0') || offer.length > MAX_SDP_CHARS) {
      throw new BadOfferError(`Send an SDP offer as a string starting with "v=0" and under ${MAX_SDP_CHARS} characters (from RTCPeerConnection.createOffer()).`);
    }
    if (!/^m=audio /m.test(offer) || !/a=rtpmap:\d+ opus\/48000/i.test(offer)) {
      throw new BadOfferError('The offer has no Opus audio m-line: add an audio transceiver (pc.addTransceiver("audio")) before createOffer().');
    }
    await this.closePeer(); // a new offer replaces the connection (renegotiation = reconnect)
    this.decoder ??= await this.newDecoder();
    if (this.closed) throw new BadOfferError('The voice session closed while the offer was being answered.');
    const pc = new RTCPeerConnection({
      iceServers: [],
      codecs: { audio: [useOPUS()], video: [] },
      certificates: [this.options.certificate],
      ...(this.options.iceAdditionalHostAddresses ? { iceAdditionalHostAddresses: this.options.iceAdditionalHostAddresses } : {}),
    });
    this.pc = pc;
    pc.connectionStateChange.subscribe((s) => this.onState(s));
    pc.onTrack.subscribe((track) => {
      if (track.kind === 'audio') track.onReceiveRtp.subscribe((rtp) => this.receive(rtp));
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
    } catch (err) {
      await this.closePeer();
      throw new BadOfferError(`The offer could not be applied (${err instanceof Error ? err.message : String(err)}). Send the SDP from RTCPeerConnection.createOffer() unchanged.`);
    }
    const sdp = pc.localDescription?.sdp;
    if (this.closed || this.pc !== pc) {
      await pc.close().catch(() => {});
      throw new BadOfferError('The voice session closed, or a newer offer replaced this one.');
    }
    if (!sdp || !/^m=audio [1-9]/m.test(sdp)) {
      await this.closePeer();
      throw new BadOfferError('No Opus audio could be negotiated from this offer: offer Opus (48000/2) on an audio m-line.');
    }
    return sdp;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.closePeer();
    this.decoder?.free();
    this.decoder = undefined;
  }

  private async newDecoder(): Promise<OpusDecoder<16000>> {
    const decoder = new OpusDecoder({ sampleRate: VOICE_INPUT_SAMPLE_RATE, channels: 1 });
    await decoder.ready;
    if (this.closed) {
      decoder.free();
      throw new BadOfferError('The voice session closed while the offer was being answered.');
    }
    return decoder;
  }

  private async closePeer(): Promise<void> {
    const pc = this.pc;
    this.pc = undefined;
    this.last = undefined;
    if (pc) await pc.close().catch(() => {});
  }

  private receive(rtp: RtpPacket): void {
    const decoder = this.decoder;
    if (!decoder || this.closed) return;
    const now = Date.now();
    const { sequenceNumber: seq, timestamp: ts } = rtp.header;
    this.stats.packets++;
    if (this.last) {
      const ahead = (seq - this.last.seq) & 0xffff;
      if (ahead === 0 || ahead > 0x8000) return; // duplicate or late: its slot is already filled
      this.stats.lost += ahead - 1;
      // Fill lost time with silence so the VAD's hang-over and segment timing stay true.
      const gapMs = ((ts - this.last.ts) >>> 0) / 48 - 20;
      if (gapMs >= 20) this.onPcm(new Int16Array(Math.min(gapMs, MAX_FILL_MS) * 16), now);
    }
    this.last = { seq, ts };
    const { channelData, samplesDecoded, errors } = decoder.decodeFrame(rtp.payload);
    if (errors.length) this.stats.decodeErrors++;
    const mono = channelData[0];
    if (!mono || samplesDecoded === 0) return;
    this.onPcm(floatToInt16(mono, samplesDecoded), now);
  }
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, GATHER_TIMEOUT_MS); // answer with what we have rather than hang
    const sub = pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && done());
    function done() {
      clearTimeout(timer);
      sub.unSubscribe();
      resolve();
    }
  });
}

export function floatToInt16(f: Float32Array, n = f.length): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const s = f[i]!;
    out[i] = s >= 1 ? 32767 : s <= -1 ? -32768 : Math.round(s * 32767);
  }
  return out;
}
