/**
 * @module examples/app
 * The sample function app that `npm start` serves: every pattern in this
 * folder, registered on the default `app` as each module loads.
 */
import { app } from 'perdure';
import './hello-sequence.ts';
import './fan-out-fan-in.ts';
import './approval-workflow.ts';
import './monitor.ts';
import './parent-with-children.ts';
import './http-start-single.ts';
import './http-start-and-wait.ts';
import './health.ts';
import './entities.ts';

export default app;
