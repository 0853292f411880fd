import { useVoiceLevel, type VoiceStore } from './voice-store';

/** Five bars that rise with the mic level (0..1); the only part of a surface that re-renders per level tick. */
export function LevelMeter({ store, active }: { store: VoiceStore; active: boolean }) {
  const level = useVoiceLevel(store);
  const bars = [0.35, 0.7, 1, 0.7, 0.35];
  return (
    <div data-level={level.toFixed(2)} className="flex h-6 items-center gap-[3px]" aria-hidden="true">
      {bars.map((weight, i) => (
        <span
          key={i}
          className={`w-[4px] rounded-full transition-[height] duration-75 ${active ? 'bg-brand-400' : 'bg-white/30'}`}
          style={{ height: `${Math.max(4, Math.min(24, 4 + level * weight * 40))}px` }}
        />
      ))}
    </div>
  );
}
