/**
 * The loopback redirect receiver for the browser flow (RFC 8252 §7.3): a one-shot HTTP server on
 * 127.0.0.1 that waits for `/callback?code=…&state=…`, answers the browser with a small "you can close
 * this tab" page, and hands the code back. Only 127.0.0.1: binding `localhost` may pick ::1 or expose more.
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

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== CALLBACK_PATH) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const send = (status: number, title: string, text: string) => {
      const body = pageHtml(title, text);
      res.writeHead(status, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        connection: "close",
      });
      res.end(body);
    };
    const state = url.searchParams.get("state");
    // A request without our state is not the answer to our authorization request (RFC 6749 §10.12).
    if (state !== expectedState) {
      send(400, "Login failed", "The answer did not match this login attempt. Run confl auth login again.");
      if (state !== null) {
        finish({
          error: new AuthError(
            "the OAuth callback carried the wrong state value (possible cross-site request)",
            {
              code: "oauth.state_mismatch",
              hint: "Run `confl auth login` again and use the link it prints.",
            },
          ),
        });
      }
      return;
    }
    const error = url.searchParams.get("error");
    if (error) {
      send(200, "Login cancelled", "You can close this tab and return to the terminal.");
      finish({ error: authorizationDenied(error, url.searchParams.get("error_description")) });
      return;
    }
    const code = url.searchParams.get("code");
    if (!code) {
      send(400, "Login failed", "The answer carried no authorization code.");
      return;
    }
    send(200, "Logged in to confl", "You can close this tab and return to the terminal.");
    finish({ ok: { code } });
  });

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

  return {
    redirectUri: `http://127.0.0.1:${actualPort}${CALLBACK_PATH}`,
    wait(timeoutMs) {
      return new Promise<CallbackResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          finish({
            error: new AuthError(`no answer from the browser within ${Math.round(timeoutMs / 1000)} s`, {
              code: "oauth.callback_timeout",
              hint: "Run `confl auth login` again, or use --no-browser to paste the redirected URL instead.",
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
  return new AuthError(`authorization was not granted (${error}${description ? `: ${description}` : ""})`, {
    code: "oauth.access_denied",
    hint: "Run `confl auth login` again and choose Accept on the consent page.",
  });
}
