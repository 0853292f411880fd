// The home page served at `/`: sign in, then tasks, journal and habits, kept live.
import { render } from 'preact';
import { App } from './app.js';

render(<App />, document.getElementById('app')!);
