/**
 * Unit tests of the dashboard session: signed cookies that hold no key,
 * expire, and die with the key that signed them; CSRF tokens bound to one
 * session; cookie parsing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCsrf, csrfToken, issueSession, readCookie, sessionCookie, verifySession } from '../../src/dashboard/session.ts';

const now = () => 1_800_000_000_000;
const keys = { keys: ['system-key-aaaaaaaaaaaa', 'master-key-bbbbbbbbbbbb'], now };

describe('dashboard session', () => {
  it('verifies a session it issued, naming the signing key, and holds no key', () => {
    const session = issueSession({ ...keys, keys: ['master-key-bbbbbbbbbbbb'] });
    assert.match(session, /^v1\.\d+\.[\w-]+\.[\w-]+$/);
    assert.ok(!session.includes('master-key'));
    assert.equal(verifySession(session, keys), 'master-key-bbbbbbbbbbbb');
  });

  it('refuses a tampered, expired, future-dated or foreign session', () => {
    const session = issueSession(keys);
    const [v, issued, nonce, mac] = session.split('.');
    assert.equal(verifySession(`${v}.${issued}.${nonce}x.${mac}`, keys), undefined, 'tampered nonce');
    assert.equal(verifySession(`${v}.${Number(issued) + 1}.${nonce}.${mac}`, keys), undefined, 'tampered time');
    assert.equal(verifySession(session, { ...keys, now: () => now() + 12 * 3600_000 + 1 }), undefined, 'expired');
    assert.equal(verifySession(session, { ...keys, now: () => now() - 1 }), undefined, 'issued in the future');
    assert.equal(verifySession(session, { keys: ['another-key-cccccccccc'], now }), undefined, 'the key was rotated');
    for (const junk of [undefined, '', 'v1', 'v2.1.2.3', 'v1.x.y.z', session.replace('v1', 'v0')]) {
      assert.equal(verifySession(junk, keys), undefined, String(junk));
    }
  });

  it('binds the CSRF token to one session', () => {
    const a = issueSession(keys);
    const b = issueSession(keys);
    const signer = verifySession(a, keys)!;
    const token = csrfToken(a, signer);
    assert.equal(checkCsrf(a, signer, token), true);
    assert.equal(checkCsrf(b, signer, token), false);
    assert.equal(checkCsrf(a, signer, null), false);
    assert.equal(checkCsrf(a, signer, ''), false);
  });

  it('reads cookies and writes the cookie with its flags', () => {
    assert.equal(readCookie('a=1; perdure_session=v1.2.3.4; b=2', 'perdure_session'), 'v1.2.3.4');
    assert.equal(readCookie('xperdure_session=1', 'perdure_session'), undefined);
    assert.equal(readCookie(null, 'perdure_session'), undefined);
    assert.equal(sessionCookie('v', { secure: false }), 'perdure_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200');
    assert.match(sessionCookie('v', { secure: true }), /; Secure$/);
    assert.match(sessionCookie(undefined, { secure: false }), /^perdure_session=; .*Max-Age=0$/);
  });
});
