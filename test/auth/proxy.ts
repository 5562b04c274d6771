/** A loopback reverse proxy in front of the simulator that can add headers (the `none` kind's proxy). */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface ReverseProxy {
  url: string;
  stop(): Promise<void>;
}

function forward(target: string, addHeaders: Record<string, string>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", target);
    const headers = { ...req.headers, host: url.host, ...addHeaders };
    const upstream = request(url, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
}

async function listen(server: Server, scheme: "http" | "https"): Promise<ReverseProxy> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function startReverseProxy(
  target: string,
  addHeaders: Record<string, string> = {},
): Promise<ReverseProxy> {
  return listen(createServer(forward(target, addHeaders)), "http");
}

export function startTlsReverseProxy(
  target: string,
  tls: { cert: string; key: string },
  addHeaders: Record<string, string> = {},
): Promise<ReverseProxy> {
  return listen(createHttpsServer(tls, forward(target, addHeaders)) as unknown as Server, "https");
}
