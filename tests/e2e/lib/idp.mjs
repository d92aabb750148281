// The identity provider the tests sign in through: npm's oidc-provider (OpenID Certified), unchanged, with
//  - accounts the tests set and remove (PUT/DELETE /__accounts/{sub}, a JSON object of claims);
//  - a plain login form (a user name, no password), so a browser or an HTTP client can sign in;
//  - POST /__tamper {"kind"}: the next token response carries an ID token changed that way and signed with the
//    provider's own key (or another key, or none), made here with the test's own keys;
//  - POST /__rotate: a new signing key replaces the old one, as a provider rotating its keys does;
//  - PUT /__client {"redirect_uris", "post_logout_redirect_uris"}: where the one client (Seatwise) may return,
//    for a server whose port is known only after the provider started.
// Started by the API tests and the end-to-end tests; prints `listening <port>` once it answers.
//   IDP_REDIRECT_URIS=http://127.0.0.1:8080/api/v1/auth/oidc/callback node lib/idp.mjs
import http from 'node:http';
import { Provider } from 'oidc-provider';
import * as jose from 'jose';

const CLIENT_ID = process.env.IDP_CLIENT_ID || 'seatwise';
const CLIENT_SECRET = process.env.IDP_CLIENT_SECRET || 'seatwise-test-secret';
let redirectUris = (process.env.IDP_REDIRECT_URIS || '').split(',').filter(Boolean);
let postLogoutUris = (process.env.IDP_POST_LOGOUT_URIS || '').split(',').filter(Boolean);

const accounts = new Map();
let tamper = null;
let keyNumber = 0;

async function newKey() {
  keyNumber += 1;
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid: `key-${keyNumber}`, alg: 'RS256', use: 'sig' };
}

let signingKey = await newKey();
const otherKey = await newKey();

function b64(value) {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function sign(payload, key) {
  return new jose.SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .sign(await jose.importJWK(key, 'RS256'));
}

// The ID token as the kind of attack asks: claims changed and re-signed with the provider's key, or signed with
// a key the provider never published, or not signed at all.
async function tampered(idToken, kind) {
  const claims = jose.decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (kind) {
    case 'audience': return sign({ ...claims, aud: 'another-client' }, signingKey);
    case 'issuer': return sign({ ...claims, iss: 'https://idp.evil.example' }, signingKey);
    case 'expired': return sign({ ...claims, iat: now - 7200, exp: now - 3600 }, signingKey);
    case 'nonce': return sign({ ...claims, nonce: 'not-the-nonce-sent' }, signingKey);
    case 'wrong-key': return sign(claims, { ...otherKey, kid: signingKey.kid });
    case 'alg-none': return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    default: throw new Error(`unknown tamper kind ${kind}`);
  }
}

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogoutUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingKey] },
    async findAccount(ctx, id) {
      const claims = accounts.get(id);
      if (!claims) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...claims }; } };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'employee_id'],
      groups: ['groups'],
    },
    // The requested scopes' claims go into the ID token itself, as Entra ID, Okta and Keycloak put them.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // The default logout page loads a web font, which a closed network leaves hanging: the same form, plainly.
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out</title></head><body><main>
<h1>Sign out of the test provider?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></main></body></html>`;
        },
      },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // First-party client: every scope it asks for is granted without a consent screen.
    async loadExistingGrant(ctx) {
      const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (id) return ctx.oidc.provider.Grant.find(id);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && tamper && ctx.body && ctx.body.id_token) {
      const kind = tamper;
      tamper = null;
      ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token, kind) };
    }
  });
  return provider;
}

function page(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Test identity provider</title></head><body><main>${body}</main></body></html>`);
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

let provider;
let handler;

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://localhost');
    const interaction = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (url.pathname.startsWith('/__')) {
      const body = req.method === 'GET' ? '' : await readBody(req);
      const account = url.pathname.match(/^\/__accounts\/(.+)$/);
      if (account && req.method === 'PUT') {
        accounts.set(decodeURIComponent(account[1]), JSON.parse(body));
      } else if (account && req.method === 'DELETE') {
        accounts.delete(decodeURIComponent(account[1]));
      } else if (url.pathname === '/__tamper') {
        tamper = JSON.parse(body).kind;
      } else if (url.pathname === '/__rotate' || url.pathname === '/__client') {
        if (url.pathname === '/__rotate') signingKey = await newKey();
        else ({ redirect_uris: redirectUris, post_logout_redirect_uris: postLogoutUris = [] } = JSON.parse(body));
        provider = makeProvider(provider.issuer);
        handler = provider.callback();
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(204).end();
    } else if (interaction && req.method === 'GET') {
      const details = await provider.interactionDetails(req, res);
      page(res, 200, `<h1>Sign in to the test provider</h1>
<form method="post" action="/interaction/${escape(details.uid)}/login">
<label for="login">User name</label> <input id="login" name="login" autocomplete="username" autofocus>
<button type="submit">Sign in</button></form>`);
    } else if (interaction && interaction[2] && req.method === 'POST') {
      const login = new URLSearchParams(await readBody(req)).get('login') || '';
      if (!accounts.has(login)) {
        page(res, 200, `<h1>Sign in to the test provider</h1><p role="alert">No such user: ${escape(login)}</p>
<p><a href="/interaction/${escape(interaction[1])}">Try again</a></p>`);
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    } else {
      handler(req, res);
    }
  } catch (e) {
    if (!res.headersSent) page(res, 500, `<p>${escape(e.message)}</p>`);
  }
});

server.listen(Number(process.env.IDP_PORT || 0), '127.0.0.1', () => {
  const { port } = server.address();
  provider = makeProvider(`http://127.0.0.1:${port}`);
  handler = provider.callback();
  console.log(`listening ${port}`);
});
