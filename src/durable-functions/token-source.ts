/**
 * @module durable-functions/token-source
 * `ManagedIdentityTokenSource` of `durable-functions` v3. Durable HTTP
 * calls do not run on Perdure, so the class exists only so that apps that
 * build one still load; `callHttp` is what refuses.
 */
export class ManagedIdentityTokenSource {
  readonly kind = 'AzureManagedIdentity';
  constructor(readonly resource: string) {}
}
