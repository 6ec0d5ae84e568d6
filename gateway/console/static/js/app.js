// The console's entry point: the header (navigation for the signed-in role, who is signed
// in, sign-out), then the router over the pages of pages/registry.js.

import { onSessionChange, session, signOut } from "./api.js";
import { bi, fill, h } from "./dom.js";
import { showFailure } from "./feedback.js";
import { go, start } from "./router.js";
import { HOMES, PAGES } from "./pages/registry.js";

function drawHeader(path = location.pathname) {
  const user = session();
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  const links = PAGES.filter((page) => page.nav && user && page.roles.includes(user.role));
  fill(
    nav,
    links.map((page) => {
      const href = typeof page.nav === "function" ? page.nav() : page.path;
      const current = path === href || (href !== "/" && path.startsWith(`${href}/`));
      return h("a", { href, "aria-current": current ? "page" : undefined }, bi(...page.title));
    }),
  );
  if (!user) return fill(who);
  const signOutButton = h("button", { type: "button", class: "secondary", onclick: () => signOut() }, bi("退出", "Sign out"));
  return fill(who, h("span", { "data-testid": "signed-in-as" }, user.username || user.role), signOutButton);
}

onSessionChange((user, why) => {
  drawHeader();
  if (!user && location.pathname !== "/sign-in") {
    go(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    if (why) showFailure(why); // e.g. "登录已失效，请重新登录。 Your session has ended"
  }
});

start(PAGES, HOMES, drawHeader);
