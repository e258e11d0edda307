/**
 * @module examples/http-start-single
 * The singleton starter: `POST /api/orchestrators/{functionName}/{instanceId}`
 * starts the orchestration under that ID unless a live instance already has it.
 *
 * The check and the start are one atomic step in the store (`startNew` with
 * an instance ID). Checking with `getStatus` first and then starting, as the
 * classic Durable Functions sample does, lets two concurrent requests both
 * see "no instance" and both start one; here exactly one request wins and
 * every other one gets 409 with the existing instance's status.
 */
import { app, InstanceAlreadyExistsError } from 'perdure';
import { readOptionalJson } from './http-input.ts';

export const httpStartSingle = app.http('HttpStartSingle', {
  methods: ['POST'],
  route: 'orchestrators/{functionName}/{instanceId}',
  authLevel: 'function',
  handler: async (request, { params, client, log }) => {
    const { functionName = '', instanceId = '' } = params;
    const input = await readOptionalJson(request);
    try {
      await client.startNew(functionName, { instanceId, input });
    } catch (error) {
      // The host would map this error the same way; it is spelled out because it is the point of the sample.
      if (error instanceof InstanceAlreadyExistsError) {
        return Response.json({ message: error.message, ...error.existing }, { status: 409 });
      }
      throw error; // unknown function → 404, bad instance ID → 400: the host maps typed errors
    }
    log.info(`Started orchestration '${functionName}' with ID '${instanceId}'.`);
    return client.createCheckStatusResponse(request, instanceId);
  },
});
