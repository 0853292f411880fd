import { useEffect, useState } from 'preact/hooks';
import type { WidgetController, WidgetState } from '../controller.js';

/** The controller's state; re-renders the component on every change. */
export function useControllerState(controller: WidgetController): WidgetState {
  const [, setTick] = useState(0);
  useEffect(() => controller.subscribe(() => setTick((n) => n + 1)), [controller]);
  return controller.state;
}
