/**
 * The loopback redirect receiver for the browser flow (RFC 8252 §7.3): a one-shot HTTP server on
 * 127.0.0.1 that waits for `/callback?code=…&state=…`, answers the browser with a small "you can close
 * this tab" page, and hands the code back. Only 127.0.0.1: binding `localhost` may pick ::1 or expose more.
 *
 * Any web page the user has open can send requests here, so only a GET of /callback with Host
 * 127.0.0.1:<port> and exactly our state decides the login; everything else is answered 4xx and the
 * receiver keeps waiting. The right state with error= ends it (only the authorization server knows the
 * state, so that is the user's Deny). After the first decision every further callback gets 409.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AuthError, ConflError } from "../../errors.js";

export const CALLBACK_PATH = "/callback";
/** The port to register in the app's settings: http://127.0.0.1:8976/callback */
export const DEFAULT_CALLBACK_PORT = 8976;

export interface CallbackResult {
  code: string;
}

export interface LoopbackReceiver {
  redirectUri: string;
  /** resolves with the code once a callback with the right state arrives */
  wait(timeoutMs: number): Promise<CallbackResult>;
  close(): Promise<void>;
}

const PAGE_STYLE = "font-family:system-ui,sans-serif;max-width:32em;margin:4em auto;text-align:center";

function pageHtml(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="${PAGE_STYLE}"><h1>${title}</h1><p>${text}</p></body></html>`;
}

export async function startLoopbackReceiver(port: number, expectedState: string): Promise<LoopbackReceiver> {
  let settle: { resolve: (r: CallbackResult) => void; reject: (e: unknown) => void } | undefined;
  let outcome: { ok: CallbackResult } | { error: unknown } | undefined;
  const finish = (value: { ok: CallbackResult } | { error: unknown }) => {
    if (outcome) return;
    outcome = value;
    if (settle) {
      if ("ok" in value) settle.resolve(value.ok);
      else settle.reject(value.error);
    }
  };

  // Only the authorization server's redirect can carry our state (it is 128 random bits that never
  // leave this process except in the authorize URL). Everything else reaching the port (a web page's
  // <img>/fetch/form, a favicon request, a DNS-rebound host, a replayed or second callback) is answered
  // and ignored: it must never end, fail or complete the login.
  let allowedHosts = new Set<string>();
  const server: Server = createServer((req, res) => {
    const send = (status: number, title: string, text: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        connection: "close",
        ...extra,
      });
      res.end(pageHtml(title, text));
    };
    // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 reaches this port with
    // its own name in Host. The browser's redirect to our redirect_uri always says 127.0.0.1:<port>.
    if (!allowedHosts.has((req.headers.host ?? "").toLowerCase())) {
      send(421, "Wrong address", "This address is not confl's login callback.");
      return;
    }
    if (req.method !== "GET") {
      send(405, "Not allowed", "confl's login callback only answers GET.", { allow: "GET" });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://127.0.0.1");
    } catch {
      send(400, "Bad request", "confl could not read this request.");
      return;
    }
    if (url.pathname !== CALLBACK_PATH) {
      send(404, "Not found", "This is confl's login callback; there is nothing else here.");
      return;
    }
    if (outcome) {
      // The login has already been decided: a later request (a reload, a replay) changes nothing.
      send(409, "Already finished", "This login attempt has already finished; return to the terminal.");
      return;
    }
    const params = url.searchParams;
    const states = params.getAll("state");
    // A request without exactly our state is not the answer to our authorization request (RFC 6749
    // §10.12). Any web page can send one, so it is only refused here, never a reason to stop waiting.
    if (states.length !== 1 || states[0] !== expectedState) {
      send(400, "Not this login", "This request does not belong to the login confl is waiting for.");
      return;
    }
    const errors = params.getAll("error");
    if (errors.length > 0) {
      // The right state with error=: the authorization server's own answer (the user chose Deny).
      send(200, "Login cancelled", "You can close this tab and return to the terminal.");
      finish({
        error: authorizationDenied(errors[0] ?? "", params.get("error_description")),
      });
      return;
    }
    const codes = params.getAll("code");
    const code = codes[0];
    if (codes.length !== 1 || !code) {
      send(400, "Login failed", "The answer carried no usable authorization code.");
      return;
    }
    send(200, "Logged in to confl", "You can close this tab and return to the terminal.");
    finish({ ok: { code } });
  });

  // A connection that trickles its request in must not hold a socket the real redirect may need.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new ConflError(
              `port ${port} on 127.0.0.1 is already in use; confl cannot receive the OAuth callback`,
              {
                code: "oauth.callback_port_busy",
                hint: "Stop whatever uses it, or pass --callback-port with another port registered in the app's callback URLs.",
              },
            )
          : error,
      );
    });
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${actualPort}`, ...(actualPort === 80 ? ["127.0.0.1"] : [])]);

  return {
    redirectUri: `http://127.0.0.1:${actualPort}${CALLBACK_PATH}`,
    wait(timeoutMs) {
      return new Promise<CallbackResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          finish({
            error: new AuthError(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s`, {
              code: "oauth.callback_timeout",
              hint: "Run the login again, or add --no-browser to paste the redirected URL instead.",
            }),
          });
        }, timeoutMs);
        timer.unref();
        settle = {
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        if (outcome) {
          if ("ok" in outcome) settle.resolve(outcome.ok);
          else settle.reject(outcome.error);
        }
      });
    },
    close() {
      // Let the "you can close this tab" page finish sending; cut whatever is still open after a second.
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 1000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

export function authorizationDenied(error: string, description: string | null): AuthError {
  const detail = `${printable(error)}${description ? `: ${printable(description)}` : ""}`;
  return new AuthError(`authorization was not granted (${detail})`, {
    code: "oauth.access_denied",
    hint: "Run the login again and choose Accept on the consent page.",
  });
}

/**
 * The server's error text goes to the terminal: keep it to one line of printable characters (no escape
 * sequences that retitle or clear the terminal, no newline that fakes a second `confl:` line), at most 200.
 */
function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
