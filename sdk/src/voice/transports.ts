import { VOICE_INPUT_SAMPLE_RATE } from '@sayso/protocol';

/** How long WebRTC may take to connect before the session falls back to the WebSocket transport. */
const WEBRTC_CONNECT_MS = 8_000;

/**
 * Sends the mic over WebRTC (Opus). The peer connection comes up first and the track is attached
 * after, so no speech is lost while it connects.
 */
export async function connectWebRtc(sendOffer: (sdp: string) => void, answer: Promise<string>): Promise<{ pc: RTCPeerConnection; attach(track: MediaStreamTrack): Promise<void> }> {
  if (typeof RTCPeerConnection === 'undefined') throw new Error('WebRTC is not available here');
  const pc = new RTCPeerConnection({ iceServers: [] });
  try {
    const sender = pc.addTransceiver('audio', { direction: 'sendonly' }).sender;
    await pc.setLocalDescription(await pc.createOffer());
    await iceGathered(pc);
    sendOffer(pc.localDescription!.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: await withTimeout(answer, WEBRTC_CONNECT_MS) });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pc.connectionState === 'connected') resolve();
          else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') reject(new Error(`WebRTC ${pc.connectionState}`));
        };
        pc.addEventListener('connectionstatechange', check);
        check();
      }),
      WEBRTC_CONNECT_MS,
    );
    return { pc, attach: (track) => sender.replaceTrack(track) };
  } catch (err) {
    pc.close();
    throw err;
  }
}

/**
 * Sends the mic as 16 kHz PCM16 frames over the voice socket, from an AudioWorklet loaded from a
 * URL (not a blob: or data: URL, which strict Content-Security-Policies and MV3 refuse).
 */
export async function connectWorklet(ctx: AudioContext, workletUrl: string | URL, send: (frame: ArrayBuffer) => void): Promise<{ attach(stream: MediaStream): void; stop(): void }> {
  if (!ctx.audioWorklet) throw new Error('AudioWorklet is not available here');
  await ctx.audioWorklet.addModule(String(workletUrl));
  const node = new AudioWorkletNode(ctx, 'pcm-capture', { processorOptions: { outRate: VOICE_INPUT_SAMPLE_RATE } });
  node.port.onmessage = (e: MessageEvent<ArrayBuffer>) => send(e.data);
  const mute = ctx.createGain();
  mute.gain.value = 0;
  node.connect(mute).connect(ctx.destination); // pulled by the graph, silent
  let source: MediaStreamAudioSourceNode | undefined;
  return {
    attach(stream) {
      source = ctx.createMediaStreamSource(stream);
      source.connect(node);
    },
    stop() {
      source?.disconnect();
      node.disconnect();
      node.port.onmessage = null;
    },
  };
}

function iceGathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
    setTimeout(resolve, 2_000); // host candidates come at once; do not wait on slow interfaces
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then((v) => (clearTimeout(timer), resolve(v)), (e: unknown) => (clearTimeout(timer), reject(e as Error)));
  });
}
