// The one-<script>-tag build (dist/sayso-widget.js): defines <sayso-widget> on load.
import { registerWidget } from './register.js';
registerWidget();
