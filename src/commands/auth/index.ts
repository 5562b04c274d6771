/** The `auth` noun: login, status, token, logout, switch (and refresh, from the OAuth work). */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerDoctor } from "./doctor.js";
import { register as registerLogin } from "./login.js";
import { register as registerLogout } from "./logout.js";
import { registerRefresh } from "./refresh.js";
import { register as registerStatus } from "./status.js";
import { register as registerSwitch } from "./switch.js";
import { register as registerToken } from "./token.js";

export function registerAuth(program: Command, getContext: ContextFactory): void {
  const auth = program.command("auth").description("Log in, check and manage credentials");
  registerLogin(auth, getContext);
  registerStatus(auth, getContext);
  registerToken(auth, getContext);
  registerLogout(auth, getContext);
  registerSwitch(auth, getContext);
  // refresh.ts (OAuth work) only pulls in modules start-up already loads, so a static import costs nothing.
  registerRefresh(auth, getContext);
  registerDoctor(auth, getContext);
}
