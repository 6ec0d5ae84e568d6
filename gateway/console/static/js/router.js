// Client-side routes: the address bar says which page is open (so reload and the back
// button work; the gateway answers index.html for any such path), and each page says who
// may see it. A page is a module exporting {path, roles, title, render} (docs/console.md).

import { session } from "./api.js";
import { bi, fill, h } from "./dom.js";
import { clearNotice, showFailure } from "./feedback.js";

let pages = [];
let homes = {};
let onNavigate = () => {};

/** Install the pages and where each role starts; then show the current address. */
export function start(registered, roleHomes, navigated) {
  pages = registered;
  homes = roleHomes;
  onNavigate = navigated;
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || event.ctrlKey || event.metaKey) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/static/")) return;
    event.preventDefault();
    go(url.pathname + url.search);
  });
  window.addEventListener("popstate", () => show());
  show();
}

/** Open ``address`` (a path with an optional query) as a new history entry. */
export function go(address, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", address);
  else history.pushState(null, "", address);
  show();
}

function match(pattern, path) {
  const names = [];
  const source = pattern.replace(/:[a-zA-Z]+/g, (name) => {
    names.push(name.slice(1));
    return "([^/]+)";
  });
  const found = new RegExp(`^${source}/?$`).exec(path);
  if (!found) return null;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
}

/** The home of the signed-in role, or the sign-in page. */
export function home() {
  const user = session();
  return (user && homes[user.role]) || "/sign-in";
}

async function show() {
  const main = document.getElementById("main");
  const path = location.pathname;
  const query = new URLSearchParams(location.search);
  const user = session();
  clearNotice();
  if (path === "/") return go(home(), { replace: true });
  for (const page of pages) {
    const params = match(page.path, path);
    if (!params) continue;
    if (page.roles.length && !user) {
      return go(`/sign-in?next=${encodeURIComponent(path + location.search)}`, { replace: true });
    }
    if (page.roles.length && !page.roles.includes(user.role)) {
      return render(main, ["无权查看", "Not allowed"], (view) =>
        fill(view, h("h1", {}, bi("无权查看", "Not allowed")), h("p", {}, bi("您的账号无权查看此页面。", "Your account may not see this page."))),
      );
    }
    return render(main, page.title, (view) => page.render(view, params, query));
  }
  return render(main, ["页面不存在", "Page not found"], (view) =>
    fill(view, h("h1", {}, bi("页面不存在", "Page not found")), h("p", {}, h("a", { href: home() }, bi("返回首页", "Back to the start")))),
  );
}

let generation = 0;

// A page draws into a view of its own, which replaces the main element's content only if no
// other navigation began meanwhile: a slow page never covers the page opened after it.
async function render(main, [zh, en], draw) {
  generation += 1;
  const mine = generation;
  document.title = `${zh} ${en} · 引力计划 Gravity Plan`;
  onNavigate(location.pathname);
  fill(main, h("p", { class: "muted" }, bi("加载中…", "Loading…")));
  const view = h("div", { class: "view" });
  try {
    await draw(view);
  } catch (failure) {
    if (mine !== generation) return;
    fill(view, h("h1", {}, bi(zh, en)));
    showFailure(failure);
  }
  if (mine !== generation) return;
  fill(main, view);
  const first = main.querySelector("[autofocus]");
  (first || main).focus({ preventScroll: true });
}
